// Which resource (plural, scope) serves a kind, read from the API server's discovery documents
// like kubectl does, so that server-side apply takes any object without a table of plurals.
import type { KubeClient } from './kube-client.ts';
import { groupVersionPath } from './resource-path.ts';

export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

const discovered = new WeakMap<KubeClient, Map<string, Map<string, ResourceInfo>>>();

export async function resourceFor(client: KubeClient, group: string, version: string, kind: string): Promise<ResourceInfo> {
  let byGroupVersion = discovered.get(client);
  if (!byGroupVersion) {
    byGroupVersion = new Map();
    discovered.set(client, byGroupVersion);
  }
  const path = groupVersionPath(group, version);
  const cached = byGroupVersion.get(path)?.get(kind);
  if (cached) return cached;
  // Not known yet, or a CRD installed since the last look: read discovery again.
  const list = await client.request<ApiResourceList>('GET', path);
  const kinds = new Map<string, ResourceInfo>();
  for (const resource of list.resources ?? []) {
    if (!resource.name.includes('/')) kinds.set(resource.kind, { plural: resource.name, namespaced: resource.namespaced });
  }
  byGroupVersion.set(path, kinds);
  const info = kinds.get(kind);
  if (!info) throw new Error(`the API server serves no kind ${kind} in ${group === '' ? version : `${group}/${version}`} (is its CRD installed?)`);
  return info;
}
