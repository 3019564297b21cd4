// How the controller and the workers guard their metrics endpoints in a cluster (--metrics-secure):
// HTTPS with the mounted or a self-signed certificate, and each caller's bearer token checked with
// the API server (TokenReview, then SubjectAccessReview) under the process's own identity.
import type { KubeConfig } from '@kubernetes/client-node';
import { servingTls, type RequestGuard } from '../metrics/index.ts';
import { KubeRequestAuthorizer } from './runtime/index.ts';

export interface SecureMetricsOptions {
  /** Holds tls.crt and tls.key; a self-signed certificate when unset. */
  certDir?: string | undefined;
}

export interface SecuredServing {
  guard: RequestGuard;
  tls: { key: string; cert: string };
  /** For the start-up log line: who may read, with which certificate. */
  description: string;
}

export function securedServing(kubeConfig: KubeConfig, options: SecureMetricsOptions): SecuredServing {
  const tls = servingTls(options.certDir);
  return {
    guard: new KubeRequestAuthorizer({ kubeConfig }),
    tls,
    description: `HTTPS (${tls.selfSigned ? 'self-signed certificate' : `certificate from ${options.certDir}`}), bearer token checked by TokenReview and SubjectAccessReview`,
  };
}
