// VM.pool_migrate, VM.assert_can_migrate and host.migrate_receive. The checks come in XAPI's
// order (message_forwarding.ml, xapi_vm_lifecycle.ml, xapi_vm_helpers.ml): the handles, then the
// VM's power state, then operations already running on it, then control domains (the testbed
// has no templates), then the destination's free memory. A migration to the host the VM is on is, as in XAPI, a
// "localhost migration": allowed when the host has room for a second copy of the VM.
import type { EventEmitter } from 'node:events';
import { DATA_REMAINING_OTHER_CONFIG_KEY, MODEL_OTHER_CONFIG_KEY, TESTBED_BANDWIDTH_OPTION, TESTBED_MEMORY_OPTION } from '../../xen/index.ts';
import { precopyInputFor, type TopologyConfig } from '../config.ts';
import { scaledLinks, type MigrationLinks } from '../migration-links.ts';
import { LiveMigration, type GuestControl, type MigrationPhase, type MigrationTimeline } from '../migration.ts';
import type { PreCopyInput, PreCopyPrediction } from '../precopy-model.ts';
import type { CallContext, MethodSpec } from './dispatch.ts';
import {
  hostNotEnoughFreeMemory,
  operationNotAllowed,
  otherOperationInProgress,
  taskCancelled,
  vmBadPowerState,
  XapiFailure,
} from './errors.ts';
import type { SimulatedPool } from './pool.ts';
import type { SessionTable } from './sessions.ts';
import { newRef } from './store.ts';

/** A finished migration, as the testbed reports it to whoever watches (tests, the demo). */
export interface MigrationReport {
  vm: string;
  source: string;
  destination: string;
  /** The Async task, when the migration was started with Async.VM.pool_migrate. */
  task?: string;
  /** The model as this migration ran it (its rounds at the shares it got); alone's if cancelled. */
  prediction: PreCopyPrediction;
  timeline: MigrationTimeline;
}

export interface MigrationPhaseEvent {
  vm: string;
  phase: MigrationPhase;
  at: number;
}

/** Emits 'phase' (MigrationPhaseEvent) as migrations move on and 'migration' (MigrationReport) at their end. */
export type MigrationObserver = EventEmitter<{ phase: [MigrationPhaseEvent]; migration: [MigrationReport] }>;

export interface MigrationEnvironment {
  pool: SimulatedPool;
  topology: TopologyConfig;
  sessions: SessionTable;
  /** Each VM's guest, by VM name. */
  guests: ReadonlyMap<string, GuestControl>;
  observer: MigrationObserver;
  /** Migrations under way, so that closing the testbed can stop them. */
  running: Set<LiveMigration>;
  /** The hosts' links, shared by the migrations copying at the same time. */
  links: MigrationLinks;
}

export function migrationMethods(env: MigrationEnvironment): MethodSpec[] {
  return [
    {
      name: 'VM.pool_migrate',
      params: 3,
      session: true,
      async: true,
      run: ([vm, host, options], context) => poolMigrate(env, String(vm), String(host), asMap(options), context),
    },
    {
      name: 'VM.assert_can_migrate',
      params: 6,
      optional: 1,
      session: true,
      async: true,
      run: ([vm, dest, , , vifMap]) => {
        assertCanMigrate(env, String(vm), asMap(dest), asMap(vifMap));
        return '';
      },
    },
    {
      name: 'host.migrate_receive',
      params: 3,
      session: true,
      async: true,
      run: ([host, network], context) => migrateReceive(env, String(host), String(network), context),
    },
  ];
}

async function poolMigrate(env: MigrationEnvironment, vmRef: string, hostRef: string, options: Record<string, unknown>, context: CallContext) {
  const { pool } = env;
  const vm = pool.store.get('VM', vmRef);
  pool.store.get('host', hostRef);
  assertOperationAllowed(env, vmRef, 'pool_migrate', ['Running']);
  assertEnoughMemory(env, vmRef, hostRef);

  const vmConfig = pool.vmByRef(vmRef)?.config;
  const source = pool.hostByRef(vm.resident_on);
  const destination = pool.hostByRef(hostRef);
  if (!vmConfig || !source || !destination) throw new XapiFailure('INTERNAL_ERROR', [`VM ${vmRef} is not placed in this pool`]);
  const topologyInput = precopyInputFor(env.topology, vmConfig, source.config, destination.config);
  const input = withTestbedOptions(topologyInput, options);
  const { task } = context;
  const operationRef = task?.ref ?? newRef();

  pool.beginOperation(vmRef, 'pool_migrate', operationRef);
  pool.reserve(vmRef, hostRef);
  task?.setCancellable(true);
  const migration = LiveMigration.start({
    input,
    links: scaledLinks(env.links.between(source.config.name, destination.config.name), input.bandwidthBytesPerSecond / topologyInput.bandwidthBytesPerSecond),
    guest: env.guests.get(vmConfig.name),
    // The bytes the model still has to send go in the task's other_config, where the adapter reads
    // them as KubeVirt's "data remaining"; a real XAPI task reports only its progress.
    onProgress: (sent, total) =>
      task?.setProgress(total > 0 ? sent / total : 1, { [DATA_REMAINING_OTHER_CONFIG_KEY]: String(Math.max(0, Math.round(total - sent))) }),
    onPhase: (phase, at) => {
      if (phase === 'stop-and-copy') task?.setCancellable(false);
      env.observer.emit('phase', { vm: vmConfig.name, phase, at });
    },
    onResume: () => pool.moveTo(vmRef, hostRef),
  });
  task?.onCancel(() => migration.cancel());
  env.running.add(migration);
  const timeline = await migration.done;
  env.running.delete(migration);
  const prediction = timeline.model ?? migration.prediction;

  if (timeline.outcome !== 'cancelled') recordModel(env, vmRef, prediction);
  pool.endOperation(vmRef, operationRef);
  if (timeline.outcome === 'cancelled') pool.release(vmRef);
  env.observer.emit('migration', {
    vm: vmConfig.name,
    source: source.config.name,
    destination: destination.config.name,
    task: task?.ref,
    prediction,
    timeline,
  });
  if (timeline.outcome === 'cancelled') throw taskCancelled(operationRef);
  return '';
}

/**
 * Leaves the model's prediction in the VM's other_config, where Migrascope's adapter reads it to
 * report "downtime by model" beside what clients saw; a real pool has no such key.
 */
function recordModel(env: MigrationEnvironment, vmRef: string, prediction: PreCopyPrediction): void {
  const otherConfig = env.pool.store.get('VM', vmRef).other_config as Record<string, string>;
  const model = JSON.stringify({ downtimeSeconds: prediction.downtimeSeconds, totalSeconds: prediction.totalSeconds });
  env.pool.store.update('VM', vmRef, { other_config: { ...otherConfig, [MODEL_OTHER_CONFIG_KEY]: model } } as never);
}

/**
 * Migrascope's spec.testbed, sent in pool_migrate's options map: the model's inputs for this one
 * migration, replacing the topology's VM memory and link bandwidth (the topology itself is left
 * as it is). A working set larger than the memory given is cut to it: all of a small VM is writable.
 */
function withTestbedOptions(input: PreCopyInput, options: Record<string, unknown>): PreCopyInput {
  const positive = (key: string): number | undefined => {
    if (options[key] === undefined) return undefined;
    const value = Number(options[key]);
    if (!(Number.isFinite(value) && value > 0)) throw new XapiFailure('INVALID_VALUE', [key, String(options[key])]);
    return value;
  };
  const memoryBytes = positive(TESTBED_MEMORY_OPTION) ?? input.memoryBytes;
  const bandwidthBytesPerSecond = positive(TESTBED_BANDWIDTH_OPTION) ?? input.bandwidthBytesPerSecond;
  return { ...input, memoryBytes, bandwidthBytesPerSecond, writableWorkingSetBytes: Math.min(input.writableWorkingSetBytes, memoryBytes) };
}

function assertCanMigrate(env: MigrationEnvironment, vmRef: string, dest: Record<string, unknown>, vifMap: Record<string, unknown>) {
  const { pool } = env;
  pool.store.get('VM', vmRef);
  // XAPI reads dest with List.assoc, which fails with Not_found when the key is missing.
  if (typeof dest.host !== 'string') throw new XapiFailure('INTERNAL_ERROR', ['Not_found']);
  if (!pool.hostByRef(dest.host)) {
    throw operationNotAllowed('cross-pool migration is not simulated by the migrascope testbed');
  }
  if (Object.keys(vifMap).length > 0) {
    throw operationNotAllowed('VIF mapping is not allowed for intra-pool migration -all VIFs must be on the same network');
  }
  assertEnoughMemory(env, vmRef, dest.host);
}

function migrateReceive(env: MigrationEnvironment, hostRef: string, networkRef: string, context: CallContext) {
  env.pool.store.get('host', hostRef);
  env.pool.store.get('network', networkRef);
  const session = env.sessions.open(context.session);
  const query = `session_id=${encodeURIComponent(session)}`;
  return {
    SM: `http://127.0.0.1/services/SM?${query}`,
    host: hostRef,
    xenops: `http://127.0.0.1/services/xenops?${query}`,
    session_id: session,
    master: 'http://127.0.0.1/',
  };
}

/** Xapi_vm_lifecycle.check_operation_error, for the checks that apply to the testbed's VMs. */
function assertOperationAllowed(env: MigrationEnvironment, vmRef: string, operation: string, powerStates: string[]) {
  const vm = env.pool.store.get('VM', vmRef);
  if (!powerStates.includes(vm.power_state)) throw vmBadPowerState(vmRef, powerStates, vm.power_state);
  const [busyRef, busyOperation] = Object.entries(vm.current_operations)[0] ?? [];
  if (busyRef !== undefined) throw otherOperationInProgress('VM', vmRef, busyOperation ?? operation, busyRef);
  if (vm.is_control_domain) throw operationNotAllowed('This operation is not allowed on a control domain');
}

function assertEnoughMemory(env: MigrationEnvironment, vmRef: string, hostRef: string) {
  const needed = env.pool.memoryNeeded(vmRef);
  const available = env.pool.freeMemory(hostRef);
  if (available < needed) throw hostNotEnoughFreeMemory(needed, available);
}

function asMap(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
