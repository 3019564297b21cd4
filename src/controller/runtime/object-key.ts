// The key of a namespaced object, and its string form in the work queue ("namespace/name", as
// client-go's MetaNamespaceKeyFunc: a cluster-scoped object's key is its bare name).

export interface ObjectKey {
  namespace: string;
  name: string;
}

/** What the runtime reads of any object it caches or writes: the API server always sets these. */
export interface KubernetesObjectWithMeta {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string | Date;
    deletionTimestamp?: string | Date;
    finalizers?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  };
}

export function formatKey(key: ObjectKey): string {
  return key.namespace === '' ? key.name : `${key.namespace}/${key.name}`;
}

export function parseKey(key: string): ObjectKey {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The key of an object the API server returned (it always has a name). */
export function keyOf(object: KubernetesObjectWithMeta): ObjectKey {
  const name = object.metadata?.name;
  if (name === undefined || name === '') {
    throw new Error(`a ${object.kind ?? 'Kubernetes'} object without metadata.name has no key`);
  }
  return { namespace: object.metadata?.namespace ?? '', name };
}
