// Where an object lives in the API: /api/v1/... for the core group, /apis/<group>/<version>/...
// for the others; an empty namespace means a cluster-scoped object.

export interface ResourceTarget {
  /** '' for the core group (ConfigMap, Secret, Event in core/v1). */
  group: string;
  version: string;
  plural: string;
  namespace: string;
  name: string;
}

export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

export function collectionPath(target: Omit<ResourceTarget, 'name'>): string {
  const namespaced = target.namespace === '' ? '' : `/namespaces/${encodeURIComponent(target.namespace)}`;
  return `${groupVersionPath(target.group, target.version)}${namespaced}/${target.plural}`;
}

export function objectPath(target: ResourceTarget, subresource?: 'status'): string {
  return `${collectionPath(target)}/${encodeURIComponent(target.name)}${subresource ? `/${subresource}` : ''}`;
}

/** Splits an apiVersion ("migrascope.io/v1alpha1", "v1") into group and version. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
