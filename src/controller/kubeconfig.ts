// Which cluster and identity the controller and the workers use: a kubeconfig file when given,
// else what client-node finds (the pod's service account in a cluster, $KUBECONFIG or
// ~/.kube/config on a laptop). A file that cannot be used is a person's to fix, said in one line.
import { existsSync, readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { InvalidInputError } from '../invalid/index.ts';

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export function loadKubeConfig(path: string | undefined, field = '--kubeconfig'): KubeConfig {
  const config = new KubeConfig();
  try {
    if (path !== undefined) config.loadFromFile(path);
    else config.loadFromDefault();
  } catch (error) {
    throw new InvalidInputError(field, `cannot read ${path ?? 'the default kubeconfig'}: ${(error as Error).message}`);
  }
  if (!config.getCurrentCluster()) {
    throw new InvalidInputError(field, `${path ?? 'the default kubeconfig'} names no current cluster (set current-context, or run in a pod)`);
  }
  return config;
}

/** The namespace this process runs in: $POD_NAMESPACE, the pod's service account, or undefined. */
export function ownNamespace(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  return existsSync(SERVICE_ACCOUNT_NAMESPACE) ? readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() : undefined;
}
