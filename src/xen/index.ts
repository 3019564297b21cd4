// The xen adapter: drives a XenServer / XCP-ng pool through XAPI with the `xen-api` client.
// Connect (TLS verified unless told otherwise), find the VM, list the hosts, choose a destination,
// live-migrate and get back a record of what happened, with reasons a person can act on.
export {
  MODEL_OTHER_CONFIG_KEY,
  TESTBED_BANDWIDTH_OPTION,
  TESTBED_MEMORY_OPTION,
  XenPool,
  isTestbedPool,
  testbedOnRealPool,
  type TestbedModelInputs,
  type EarlierMigration,
  type MigrationOptions,
  type MigrationRecord,
  type ModelledMigration,
  type XenObjectSummary,
  type XenPoolOptions,
} from './pool.ts';
export type { XapiCredentials } from './connection.ts';
export { chooseDestination, findHost, refusal, type DestinationPolicy, type DestinationRequest } from './destination.ts';
export type { Host, Vm, XenObject } from './records.ts';
export { DATA_REMAINING_OTHER_CONFIG_KEY, type TaskProgress, type TaskStatus } from './task-follower.ts';
export * from './errors.ts';
