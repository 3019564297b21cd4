// Status goes through the status subresource only (a spec change never rides along, and RBAC
// can grant status writes alone), as a merge patch with the content type that says so.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, MERGE_PATCH, isConflict } from './kube-client.ts';
import { withResourceVersion } from './object-writes.ts';
import { objectPath, type ResourceTarget } from './resource-path.ts';

/**
 * Merge-patches `status` into the object's status. With `resourceVersion` the API server refuses
 * with 409 Conflict if the object changed since it was read: re-read, recompute, retry
 * (updateStatusWithRetry does that).
 */
export async function patchStatus(
  kc: KubeConfig,
  target: ResourceTarget,
  status: unknown,
  options: { resourceVersion?: string; signal?: AbortSignal } = {},
): Promise<unknown> {
  return KubeClient.for(kc).request('PATCH', objectPath(target, 'status'), withResourceVersion({ status }, options.resourceVersion), MERGE_PATCH, {
    signal: options.signal,
  });
}

export interface StatusUpdateOptions {
  /** Attempts before a conflict is given up on (client-go's RetryOnConflict: 5). */
  attempts?: number;
  signal?: AbortSignal;
}

/**
 * Reads the object, asks `mutate` for its new status and patches it at the version read; on a
 * conflict reads again and asks again. `mutate` (which may be async) returning undefined means
 * nothing to write.
 * Returns the object as written (or as read, when nothing was written).
 */
export async function updateStatusWithRetry<T = Record<string, unknown>>(
  kc: KubeConfig,
  target: ResourceTarget,
  mutate: (current: T) => unknown | Promise<unknown>,
  options: StatusUpdateOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  const client = KubeClient.for(kc);
  for (let attempt = 1; ; attempt++) {
    const current = await client.request<T & { metadata?: { resourceVersion?: string } }>('GET', objectPath(target), undefined, undefined, {
      signal: options.signal,
    });
    const status = await mutate(current);
    if (status === undefined) return current;
    try {
      return (await patchStatus(kc, target, status, {
        resourceVersion: current.metadata?.resourceVersion,
        signal: options.signal,
      })) as T;
    } catch (error) {
      if (!isConflict(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt)); // as RetryOnConflict: a short pause
    }
  }
}
