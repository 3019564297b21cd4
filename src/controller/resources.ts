// Where Migrascope's resources live on the API server: group, version and plural of each kind,
// the collection an informer lists and watches (one namespace or all), and what an Event is about.
import { API_VERSION, GROUP, VERSION, type MigrascopeKind } from '../api/v1alpha1/index.ts';
import type { EventSubject, KubernetesObjectWithMeta, ResourceTarget } from './runtime/index.ts';

export const PLURALS: Record<MigrascopeKind, string> = {
  XenPool: 'xenpools',
  WorkloadProfile: 'workloadprofiles',
  MigrationExperiment: 'migrationexperiments',
  MigrationCampaign: 'migrationcampaigns',
  MigrationSchedule: 'migrationschedules',
};

/** An object as the informers cache it: what the API server stored, not yet parsed. */
export interface StoredObject extends KubernetesObjectWithMeta {
  spec?: unknown;
  status?: Record<string, unknown>;
}

/** The object (and its status subresource) for patchStatus and the finalizer helpers. */
export function targetOf(kind: MigrascopeKind, namespace: string, name: string): ResourceTarget {
  return { group: GROUP, version: VERSION, plural: PLURALS[kind], namespace, name };
}

/** The list/watch path of a kind: in `namespace`, or cluster-wide when it is undefined. */
export function collectionPath(kind: MigrascopeKind, namespace?: string): string {
  const scope = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  return `/apis/${GROUP}/${VERSION}${scope}/${PLURALS[kind]}`;
}

/** What an Event is about. */
export function subjectOf(kind: MigrascopeKind, metadata: { namespace?: string | undefined; name: string; uid?: string | undefined }): EventSubject {
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: { namespace: metadata.namespace ?? 'default', name: metadata.name, ...(metadata.uid === undefined ? {} : { uid: metadata.uid }) },
  };
}
