// Adding and removing a finalizer without clobbering anyone else's: the whole list is written
// with the resourceVersion it was read at (a merge patch replaces lists), so a concurrent change
// makes the API server answer 409 and the list is read again.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, isConflict, isNotFound } from './kube-client.ts';
import type { KubernetesObjectWithMeta } from './object-key.ts';
import { patchObject } from './object-writes.ts';
import { objectPath, type ResourceTarget } from './resource-path.ts';

const ATTEMPTS = 5;

/**
 * Ensures `finalizer` is on the object; a no-op when it is there. `seen`: the object as last seen
 * (the informer's copy): its list and resourceVersion are tried first, saving a GET (a quarter of
 * a new experiment's requests); if it is stale, the API server answers 409 and the list is read.
 */
export async function addFinalizer(kc: KubeConfig, target: ResourceTarget, finalizer: string, seen?: KubernetesObjectWithMeta): Promise<void> {
  await editFinalizers(kc, target, (finalizers) => (finalizers.includes(finalizer) ? undefined : [...finalizers, finalizer]), false, seen);
}

/** Ensures `finalizer` is not on the object; a no-op when it is not, or the object is gone. */
export async function removeFinalizer(kc: KubeConfig, target: ResourceTarget, finalizer: string): Promise<void> {
  await editFinalizers(kc, target, (finalizers) => (finalizers.includes(finalizer) ? finalizers.filter((f) => f !== finalizer) : undefined), true);
}

async function editFinalizers(
  kc: KubeConfig,
  target: ResourceTarget,
  edit: (finalizers: string[]) => string[] | undefined,
  goneIsDone: boolean,
  seen?: KubernetesObjectWithMeta,
): Promise<void> {
  const client = KubeClient.for(kc);
  for (let attempt = 1; ; attempt++) {
    try {
      const current = attempt === 1 && seen?.metadata?.resourceVersion ? seen : await client.request<KubernetesObjectWithMeta>('GET', objectPath(target));
      const finalizers = edit(current.metadata?.finalizers ?? []);
      if (finalizers === undefined) return;
      await patchObject(kc, target, { metadata: { finalizers } }, { resourceVersion: current.metadata?.resourceVersion });
      return;
    } catch (error) {
      if (goneIsDone && isNotFound(error)) return;
      if (!isConflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}
