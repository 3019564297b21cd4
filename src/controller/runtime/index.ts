// The controller runtime: what src/controller's reconcilers are built on (controller-runtime's
// concepts in TypeScript over @kubernetes/client-node's configuration). See README.md.
export { formatKey, keyOf, parseKey, type KubernetesObjectWithMeta, type ObjectKey } from './object-key.ts';
export { TerminalError, type ReconcileResult, type Reconciler } from './reconciler.ts';
export { WorkQueue, type WorkQueueOptions } from './work-queue.ts';
export { Informer, type InformerEvent, type InformerOptions } from './informer.ts';
export { Controller, type ControllerOptions } from './controller.ts';
export { LeaderElector, type LeaderCallbacks, type LeaderElectorOptions } from './leader-elector.ts';
export { KubeLeaseStore, type LeaseRecord, type LeaseStore, type StoredLease } from './lease-store.ts';
export {
  KubeApiError,
  KubeClient,
  APPLY_PATCH,
  JSON_PATCH,
  MERGE_PATCH,
  isConflict,
  isGone,
  isNotFound,
  type HttpMethod,
  type KubeRequestOptions,
  type WatchEvent,
} from './kube-client.ts';
export { collectionPath, objectPath, splitApiVersion, type ResourceTarget } from './resource-path.ts';
export { applyObject, patchObject, type PatchOptions } from './object-writes.ts';
export { patchStatus, updateStatusWithRetry, type StatusUpdateOptions } from './status-writes.ts';
export { addFinalizer, removeFinalizer } from './finalizers.ts';
export { EventRecorder, type EventSubject, type EventType } from './event-recorder.ts';
export { microTime } from './micro-time.ts';
export { KubeRequestAuthorizer, DECISION_TTL_MS, type RequestAuthorizerOptions } from './request-authorizer.ts';
