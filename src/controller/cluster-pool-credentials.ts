// A pool's XAPI credentials read through the API server: the XenPool, then the Secret its
// credentialsSecretRef names (and the CA bundle's Secret). The controller (to check the pool
// before a run, and for a XenPool's status) and `migrascope worker` (to migrate) both read them
// here, each under its own service account. Every refusal names the field a person fixes.
import type { KubeConfig } from '@kubernetes/client-node';
import { parseXenPool, type XenPool } from '../api/v1alpha1/index.ts';
import type { PoolResolver } from '../engine/migration-worker.ts';
import { InvalidInputError } from '../invalid/index.ts';
import type { PoolRef } from '../queue/contracts.ts';
import type { XapiCredentials } from '../xen/index.ts';
import { collectionPath } from './resources.ts';
import { KubeClient, KubeApiError } from './runtime/index.ts';

/** Why a pool's credentials cannot be had: `reason` for a condition, `field` for a person. */
export class PoolReferenceError extends InvalidInputError {
  readonly reason: string;
  constructor(reason: string, field: string, message: string) {
    super(field, message);
    this.name = 'PoolReferenceError';
    this.reason = reason;
  }
}

interface SecretObject {
  data?: Record<string, string>;
}

export async function readXenPool(kubeConfig: KubeConfig, ref: PoolRef, field = 'spec.poolRef.name'): Promise<XenPool> {
  const path = `${collectionPath('XenPool', ref.namespace)}/${encodeURIComponent(ref.name)}`;
  let object: unknown;
  try {
    object = await KubeClient.for(kubeConfig).request('GET', path);
  } catch (error) {
    throw refusal(error, 'PoolNotFound', field, `no XenPool "${ref.name}" in namespace ${ref.namespace}`, `XenPool "${ref.name}"`);
  }
  return parseXenPool(object);
}

/** The credentials of a parsed XenPool, from its Secrets in the pool's namespace. */
export async function xenPoolCredentials(kubeConfig: KubeConfig, pool: XenPool): Promise<XapiCredentials> {
  const namespace = pool.metadata.namespace ?? 'default';
  const ref = pool.spec.credentialsSecretRef;
  const where = `XenPool ${pool.metadata.name}: spec.credentialsSecretRef`;
  const data = await readSecretData(kubeConfig, namespace, ref.name, where);
  const username = data[ref.usernameKey];
  const password = data[ref.passwordKey];
  if (username === undefined || password === undefined) {
    const missing = [username === undefined ? ref.usernameKey : undefined, password === undefined ? ref.passwordKey : undefined].filter(Boolean);
    throw new PoolReferenceError('SecretKeyMissing', where, `Secret "${ref.name}" has no key ${missing.map((k) => `"${k}"`).join(' or ')}`);
  }
  let caBundle: string | undefined;
  const ca = pool.spec.caBundleSecretRef;
  if (ca) {
    const caWhere = `XenPool ${pool.metadata.name}: spec.caBundleSecretRef`;
    caBundle = (await readSecretData(kubeConfig, namespace, ca.name, caWhere))[ca.key];
    if (caBundle === undefined) throw new PoolReferenceError('SecretKeyMissing', caWhere, `Secret "${ca.name}" has no key "${ca.key}"`);
  }
  return { url: pool.spec.url, username, password, caBundle, insecureSkipVerify: pool.spec.insecureSkipVerify };
}

/** The engine's PoolResolver, reading the XenPool and its Secrets as this process's identity. */
export function clusterPoolResolver(kubeConfig: KubeConfig): PoolResolver {
  return async (ref) => xenPoolCredentials(kubeConfig, await readXenPool(kubeConfig, ref));
}

async function readSecretData(kubeConfig: KubeConfig, namespace: string, name: string, field: string): Promise<Record<string, string>> {
  let secret: SecretObject;
  try {
    secret = await KubeClient.for(kubeConfig).request<SecretObject>('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`);
  } catch (error) {
    throw refusal(error, 'SecretNotFound', field, `no Secret "${name}" in namespace ${namespace}`, `Secret "${name}"`);
  }
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

/** A 404 or 403 is the person's to fix (create it, grant it); anything else is retried by the caller. */
function refusal(error: unknown, notFoundReason: string, field: string, notFound: string, what: string): Error {
  if (error instanceof KubeApiError && error.status === 404) return new PoolReferenceError(notFoundReason, field, notFound);
  if (error instanceof KubeApiError && error.status === 403) {
    return new PoolReferenceError('Forbidden', field, `this service account may not read ${what}: grant it in the Role (deploy/rbac) or use a Secret it may read`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
