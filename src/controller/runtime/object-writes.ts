// Writes of whole objects: a merge patch (only the fields sent change; with a resourceVersion it
// fails with 409 if the object changed meanwhile) and server-side apply (the fields this field
// manager owns are set to exactly what is sent; children stay as we declare them).
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { resourceFor } from './discovery.ts';
import { APPLY_PATCH, KubeClient, MERGE_PATCH } from './kube-client.ts';
import { objectPath, splitApiVersion, type ResourceTarget } from './resource-path.ts';

export interface PatchOptions {
  /** Fail with 409 Conflict unless the object is still at this version (optimistic concurrency). */
  resourceVersion?: string;
  fieldManager?: string;
  signal?: AbortSignal;
}

/** JSON merge patch (RFC 7386): objects merge, arrays and scalars replace, null deletes. */
export async function patchObject(kc: KubeConfig, target: ResourceTarget, patch: Record<string, unknown>, options: PatchOptions = {}): Promise<unknown> {
  return KubeClient.for(kc).request('PATCH', objectPath(target), withResourceVersion(patch, options.resourceVersion), MERGE_PATCH, {
    query: { fieldManager: options.fieldManager },
    signal: options.signal,
  });
}

/**
 * Server-side apply: the object as this field manager wants it. `force` takes over fields
 * another manager owns (a controller's own children); without it a clash is a 409.
 */
export async function applyObject(
  kc: KubeConfig,
  object: KubernetesObject,
  fieldManager: string,
  options: { force?: boolean; signal?: AbortSignal } = {},
): Promise<unknown> {
  const { apiVersion, kind, metadata } = object;
  if (!apiVersion || !kind || !metadata?.name) throw new Error('server-side apply needs apiVersion, kind and metadata.name');
  const client = KubeClient.for(kc);
  const { group, version } = splitApiVersion(apiVersion);
  const resource = await resourceFor(client, group, version, kind);
  const namespace = resource.namespaced ? (metadata.namespace ?? '') : '';
  if (resource.namespaced && namespace === '') {
    throw new Error(`server-side apply of ${kind} ${metadata.name}: metadata.namespace is required`);
  }
  const target = { group, version, plural: resource.plural, namespace, name: metadata.name };
  return client.request('PATCH', objectPath(target), object, APPLY_PATCH, {
    query: { fieldManager, force: options.force ? true : undefined },
    signal: options.signal,
  });
}

export function withResourceVersion(patch: Record<string, unknown>, resourceVersion: string | undefined): Record<string, unknown> {
  if (resourceVersion === undefined) return patch;
  const metadata = (patch.metadata ?? {}) as Record<string, unknown>;
  return { ...patch, metadata: { ...metadata, resourceVersion } };
}
