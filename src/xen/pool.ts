// A XenServer / XCP-ng pool as Migrascope drives it: find the VM, look at the hosts, pick where
// the VM goes, live-migrate it and time the migration. One instance is one XAPI session.
import { logger as processLogger, type Logger } from '../log/index.ts';
import { chooseDestination, type DestinationPolicy } from './destination.ts';
import { AmbiguousNameError, NoDestinationError, VmNotFoundError, XenError, type XenErrorKind } from './errors.ts';
import { explainFailure, explainTaskFailure, isXapiFailure, type FailureContext } from './failures.ts';
import { openConnection, type ConnectionTuning, type XapiConnection, type XapiCredentials } from './connection.ts';
import { hostFromRecords, isGuest, NULL_REF, vmFromRecord, type Host, type Vm, type XapiRecord, type XenObject } from './records.ts';
import { followTask, type TaskProgress, type TaskState } from './task-follower.ts';

export interface XenPoolOptions extends ConnectionTuning {
  /** How often the migration's task record is read; the end of a migration is seen this late at most. */
  taskPollIntervalMs?: number;
  /** How long the connection may stay down while a migration runs before we give up following it. */
  reconnectTimeoutMs?: number;
  log?: Logger;
}

export interface MigrationOptions {
  onProgress?: (progress: TaskProgress) => void;
  /** Called once XAPI has accepted the migration, with its task: record it to follow it after a restart. */
  onTask?: (task: string) => void;
  /** The testbed's model inputs (spec.testbed); only for a pool isSimulated() says is the testbed. */
  testbed?: TestbedModelInputs | undefined;
}

/** A migration an earlier process asked for, as it recorded it, to be followed to its end. */
export interface EarlierMigration {
  /** The XAPI task, when the earlier process lived long enough to record it. */
  task?: string | undefined;
  /** Name labels of the hosts, as recorded. */
  source: string;
  destination: string;
  /** ISO 8601 time of the request. */
  start: string;
}

/** What the testbed's pre-copy model predicted for a VM's latest migration (simulated pools only). */
export interface ModelledMigration {
  modelDowntimeSeconds: number;
  modelDurationSeconds: number;
}

/** The VM other_config key where the testbed leaves its model's prediction; a real pool has none. */
export const MODEL_OTHER_CONFIG_KEY = 'migrascope_testbed_model';

/**
 * Keys of VM.pool_migrate's options map that only the testbed reads: its pre-copy model's inputs
 * for this one migration (spec.testbed). Sent only to a pool that is the testbed.
 */
export const TESTBED_MEMORY_OPTION = 'migrascope_testbed_memory';
export const TESTBED_BANDWIDTH_OPTION = 'migrascope_testbed_link_bandwidth';

/** The testbed's pre-copy model inputs for one migration, bytes and bytes per second. */
export interface TestbedModelInputs {
  memoryBytes?: number | undefined;
  bandwidthBytesPerSecond?: number | undefined;
}

/** spec.testbed on a real pool: refused, with what to do instead. */
export function testbedOnRealPool(url: string): string {
  return (
    `spec.testbed: the pool at ${url} is a real XenServer / XCP-ng pool, where the VM's memory and the link's bandwidth are not settable ` +
    "by Migrascope (it neither resizes a VM someone runs nor shapes a network it does not own); remove spec.testbed (and a campaign's " +
    'sweep.vmMemory / sweep.linkBandwidth), or run against the testbed'
  );
}

/** The testbed says what it is in its pool's description; a pool it migrated also carries the model key. */
const TESTBED_DESCRIPTION = /migrascope testbed/i;

export function isTestbedPool(pools: readonly XapiRecord[], vms: readonly XapiRecord[]): boolean {
  return (
    pools.some((pool) => TESTBED_DESCRIPTION.test(String(pool.name_description ?? ''))) ||
    vms.some((vm) => MODEL_OTHER_CONFIG_KEY in ((vm.other_config as Record<string, string> | undefined) ?? {}))
  );
}

/** What one live migration did; plain data, so it travels as JSON (queue results, --json). */
export interface MigrationRecord {
  vm: XenObjectSummary;
  source: XenObjectSummary;
  destination: XenObjectSummary;
  /** ISO 8601 wall-clock time of the migration request. */
  start: string;
  /** ISO 8601 wall-clock time at which the task was seen finished. */
  end: string;
  /** end - start, from a monotonic clock. */
  durationMs: number;
  /** The XAPI task reference (empty when XAPI refused to start the migration). */
  task: string;
  ok: boolean;
  /** Why it failed, in words a person can act on. */
  reason?: string;
  /** The same, for programs: the XenError kind and XAPI's code. */
  failure?: { kind: XenErrorKind; xapiCode?: string; retryable: boolean };
}

export interface XenObjectSummary {
  name: string;
  uuid: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class XenPool {
  readonly url: string;
  readonly #connection: XapiConnection;
  readonly #log: Logger;
  readonly #pollIntervalMs: number;
  readonly #reconnectTimeoutMs: number;

  private constructor(connection: XapiConnection, options: XenPoolOptions) {
    this.url = connection.url;
    this.#connection = connection;
    this.#log = options.log ?? processLogger().child({ part: 'xen' });
    this.#pollIntervalMs = options.taskPollIntervalMs ?? 250;
    this.#reconnectTimeoutMs = options.reconnectTimeoutMs ?? 5 * 60_000;
  }

  /** Logs in; TLS is verified unless `insecureSkipVerify` is set. */
  static async connect(credentials: XapiCredentials, options: XenPoolOptions = {}): Promise<XenPool> {
    const connection = await openConnection(credentials, { ...options, log: options.log ?? processLogger().child({ part: 'xen' }) });
    const pool = new XenPool(connection, options);
    pool.#log.debug({ url: connection.url, username: credentials.username }, 'logged in to XAPI');
    return pool;
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }

  /** A guest VM by uuid or name label; a name shared by several VMs must be given as a uuid. */
  async findVm(nameOrUuid: string): Promise<Vm> {
    if (UUID.test(nameOrUuid)) {
      const ref = await this.#lookUp('VM.get_by_uuid', nameOrUuid);
      if (ref !== undefined) return vmFromRecord(ref, await this.#record('VM', ref));
    }
    const refs = (await this.#call('VM.get_by_name_label', nameOrUuid)) as string[];
    const guests: Vm[] = [];
    for (const ref of refs) {
      const record = await this.#record('VM', ref);
      if (isGuest(record)) guests.push(vmFromRecord(ref, record));
    }
    const [only, ...others] = guests;
    if (only !== undefined && others.length === 0) return only;
    if (only !== undefined) {
      throw new AmbiguousNameError(
        `${guests.length} VMs are named "${nameOrUuid}"; give one by uuid: ${guests.map((vm) => vm.uuid).join(', ')}`,
        guests.map((vm) => vm.uuid),
      );
    }
    const known = (await this.#guests()).map((vm) => vm.name).sort();
    const shown = known.length > 12 ? `${known.slice(0, 12).join(', ')}, ...` : known.join(', ') || 'none';
    throw new VmNotFoundError(`no VM is named "${nameOrUuid}" or has that uuid in the pool at ${this.url} (VMs: ${shown})`);
  }

  /** Every host with its state, free memory and the VMs it runs. */
  async listHosts(): Promise<Host[]> {
    const [hosts, metrics, vms] = await Promise.all([
      this.#allRecords('host'),
      this.#allRecords('host_metrics'),
      this.#allRecords('VM'),
    ]);
    return Object.entries(hosts).map(([ref, record]) => {
      const residents = Object.values(vms)
        .filter((vm) => vm.resident_on === ref && vm.is_control_domain !== true)
        .map((vm) => String(vm.name_label));
      return hostFromRecords(ref, record, metrics[String(record.metrics)], residents.sort());
    });
  }

  /** Where the VM should go under `policy`; reads the hosts' current state first. */
  async chooseDestination(vm: Vm, policy: DestinationPolicy, previousSource?: string): Promise<Host> {
    const hosts = await this.listHosts();
    const current = vmFromRecord(vm.ref, await this.#record('VM', vm.ref));
    if (previousSource !== undefined && !hosts.some((host) => host.name === previousSource || host.uuid === previousSource)) {
      this.#log.warn({ previousSource }, 'the previous source host is not in the pool; nothing to avoid');
    }
    const host = chooseDestination({ vm: current, hosts, policy, previousSource });
    this.#log.debug({ vm: vm.name, policy: policy.kind, destination: host.name }, 'destination chosen');
    return host;
  }

  /**
   * Live-migrates the VM inside the pool (Async.VM.pool_migrate, live) and follows the task to
   * its end. XAPI's refusals and failures come back as a record with ok: false and the reason;
   * only problems before XAPI could answer (VM gone, connection down, the destination being the
   * VM's own host) are thrown.
   */
  async migrate(vm: Vm, destination: Host, options: MigrationOptions = {}): Promise<MigrationRecord> {
    const current = vmFromRecord(vm.ref, await this.#record('VM', vm.ref));
    const source = await this.#hostSummary(current.residentOn);
    const context: FailureContext = { url: this.url, vm: current, source, destination };
    if (destination.ref === current.residentOn) {
      // XAPI would run a "localhost migration" (a second copy on the same host), which measures
      // nothing Migrascope is after.
      const reason = 'the VM is already on it; choose another host';
      throw new NoDestinationError(`cannot migrate VM ${current.name} to host ${destination.name}: ${reason}`, [
        { host: destination.name, reason },
      ]);
    }
    const log = this.#log.child({ vm: current.name, source: source.name, destination: destination.name });
    const clock = startClock();
    const record = (task: string, failure?: XenError): MigrationRecord =>
      migrationRecord({ vm: current, source, destination }, clock, task, failure);

    log.info('live migration requested');
    let task: string;
    try {
      await this.#reconnectIfNeeded();
      task = (await this.#connection.client.call('Async.VM.pool_migrate', current.ref, destination.ref, {
        live: 'true',
        ...testbedOptions(options.testbed),
      })) as string;
    } catch (error) {
      const failure = explainFailure(error, context);
      // A refusal is an outcome of the migration. Without an answer we cannot tell whether the
      // request reached XAPI; the caller sees the connection error and looks before retrying.
      if (!isXapiFailure(error)) throw failure;
      log.warn({ reason: failure.message }, 'XAPI refused the migration');
      return record('', failure);
    }
    options.onTask?.(task);
    return this.#follow(task, current, context, record, log, options.onProgress);
  }

  /**
   * Follows to its end a migration that an earlier process (which died) asked for, so that a
   * restarted engine reports it instead of migrating a second time. Without a recorded task the
   * VM's host tells: on the destination, it moved; on the source with no migration under way,
   * the request never reached XAPI and undefined is returned (nothing to follow).
   */
  async followMigration(vm: Vm, earlier: EarlierMigration, options: Pick<MigrationOptions, 'onProgress'> = {}): Promise<MigrationRecord | undefined> {
    const current = vmFromRecord(vm.ref, await this.#record('VM', vm.ref));
    const hosts = await this.listHosts();
    const byName = (name: string): XenObject => hosts.find((host) => host.name === name) ?? { ref: '', uuid: '', name };
    const source = byName(earlier.source);
    const destination = byName(earlier.destination);
    const started = new Date(earlier.start);
    const clock = { startedAt: started, startedTick: performance.now() - (Date.now() - started.getTime()) };
    const record = (task: string, failure?: XenError): MigrationRecord => migrationRecord({ vm: current, source, destination }, clock, task, failure);
    const log = this.#log.child({ vm: current.name, source: source.name, destination: destination.name, task: earlier.task });
    if (earlier.task) {
      const context: FailureContext = { url: this.url, vm: current, source, destination };
      log.info('following a migration asked for by an earlier attempt');
      return this.#follow(earlier.task, current, context, record, log, options.onProgress);
    }
    for (;;) {
      const now = vmFromRecord(vm.ref, await this.#record('VM', vm.ref));
      if (destination.ref !== '' && now.residentOn === destination.ref) return record('');
      const operations = Object.values(((await this.#record('VM', vm.ref)).current_operations ?? {}) as Record<string, unknown>);
      if (!operations.includes('pool_migrate') && !operations.includes('migrate_send')) return undefined;
      await new Promise((resolve) => setTimeout(resolve, this.#pollIntervalMs));
    }
  }

  /** Whether this pool is Migrascope's simulated testbed, not a real XenServer / XCP-ng pool. */
  async isSimulated(): Promise<boolean> {
    const [pools, vms] = await Promise.all([this.#allRecords('pool'), this.#allRecords('VM')]);
    return isTestbedPool(Object.values(pools), Object.values(vms));
  }

  /** The testbed's prediction for the VM's latest migration; undefined on a real pool. */
  async modelledMigration(vm: Vm): Promise<ModelledMigration | undefined> {
    const record = await this.#record('VM', vm.ref);
    const text = (record.other_config as Record<string, string> | undefined)?.[MODEL_OTHER_CONFIG_KEY];
    if (text === undefined) return undefined;
    try {
      const parsed = JSON.parse(text) as { downtimeSeconds?: unknown; totalSeconds?: unknown };
      if (typeof parsed.downtimeSeconds !== 'number' || typeof parsed.totalSeconds !== 'number') return undefined;
      return { modelDowntimeSeconds: parsed.downtimeSeconds, modelDurationSeconds: parsed.totalSeconds };
    } catch (error) {
      this.#log.warn({ err: error, vm: vm.name }, `unreadable ${MODEL_OTHER_CONFIG_KEY} in the VM's other_config; ignoring it`);
      return undefined;
    }
  }

  async #follow(
    task: string,
    vm: Vm,
    context: FailureContext,
    record: (task: string, failure?: XenError) => MigrationRecord,
    log: Logger,
    onProgress: MigrationOptions['onProgress'],
  ): Promise<MigrationRecord> {
    let final: TaskState;
    try {
      final = await followTask(this.#connection.client, task, {
        pollIntervalMs: this.#pollIntervalMs,
        reconnectTimeoutMs: this.#reconnectTimeoutMs,
        onProgress,
        log,
      });
    } catch (error) {
      const lost = record(task, explainFailure(error, context));
      lost.reason = `${lost.reason ?? ''}${await this.#whereIs(vm)}`;
      log.error({ task, reason: lost.reason }, 'lost track of the migration');
      return lost;
    }
    const done = record(task, final.status === 'success' ? undefined : this.#taskFailure(final, context));
    await this.#forget(task);
    if (done.ok) log.info({ durationMs: Math.round(done.durationMs) }, 'live migration done');
    else log.warn({ reason: done.reason }, 'live migration failed');
    return done;
  }

  /** Where the VM runs now, said for a person who must decide what to do after losing a task. */
  async #whereIs(vm: Vm): Promise<string> {
    try {
      const ref = await this.#lookUp('VM.get_by_uuid', vm.uuid);
      if (ref === undefined) return `; VM ${vm.name} is no longer in the pool`;
      const now = vmFromRecord(ref, await this.#record('VM', ref));
      return `; VM ${vm.name} now runs on ${(await this.#hostSummary(now.residentOn)).name}`;
    } catch (error) {
      this.#log.warn({ err: error }, 'could not see where the VM runs after losing its migration task');
      return '';
    }
  }

  #taskFailure(task: TaskState, context: FailureContext): XenError {
    if (task.status === 'cancelled') return explainTaskFailure(['TASK_CANCELLED', task.ref], context);
    return explainTaskFailure(task.errorInfo, context);
  }

  /** Async tasks stay in XAPI until their caller destroys them, as xen-api's callAsync does. */
  async #forget(task: string): Promise<void> {
    try {
      await this.#connection.client.call('task.destroy', task);
    } catch (error) {
      this.#log.warn({ task, err: error }, 'could not destroy the finished migration task; XAPI will expire it');
    }
  }

  async #hostSummary(ref: string): Promise<XenObject> {
    if (ref === NULL_REF) return { ref, uuid: '', name: '(not running)' };
    const record = await this.#record('host', ref);
    return { ref, uuid: String(record.uuid), name: String(record.name_label) };
  }

  async #guests(): Promise<Vm[]> {
    const records = await this.#allRecords('VM');
    return Object.entries(records)
      .filter(([, record]) => isGuest(record))
      .map(([ref, record]) => vmFromRecord(ref, record));
  }

  /** A ref by uuid, or undefined when no object has that uuid. */
  async #lookUp(method: string, uuid: string): Promise<string | undefined> {
    try {
      await this.#reconnectIfNeeded();
      return (await this.#connection.client.call(method, uuid)) as string;
    } catch (error) {
      if (isXapiFailure(error) && (error.code === 'UUID_INVALID' || error.code === 'HANDLE_INVALID')) return undefined;
      throw explainFailure(error, { url: this.url });
    }
  }

  async #record(type: string, ref: string): Promise<XapiRecord> {
    return (await this.#call(`${type}.get_record`, ref)) as XapiRecord;
  }

  async #allRecords(type: string): Promise<Record<string, XapiRecord>> {
    return (await this.#call(`${type}.get_all_records`)) as Record<string, XapiRecord>;
  }

  /** After XAPI forgot our session and logging in again failed, the client stays disconnected. */
  async #reconnectIfNeeded(): Promise<void> {
    if (this.#connection.client.status === 'disconnected') {
      this.#log.info('logging in to XAPI again');
      await this.#connection.client.connect();
    }
  }

  async #call(method: string, ...args: unknown[]): Promise<unknown> {
    try {
      await this.#reconnectIfNeeded();
      return await this.#connection.client.call(method, ...args);
    } catch (error) {
      throw explainFailure(error, { url: this.url, username: this.#connection.username });
    }
  }
}

function testbedOptions(inputs: TestbedModelInputs | undefined): Record<string, string> {
  return {
    ...(inputs?.memoryBytes === undefined ? {} : { [TESTBED_MEMORY_OPTION]: String(inputs.memoryBytes) }),
    ...(inputs?.bandwidthBytesPerSecond === undefined ? {} : { [TESTBED_BANDWIDTH_OPTION]: String(inputs.bandwidthBytesPerSecond) }),
  };
}

function summary(object: XenObject): XenObjectSummary {
  return { name: object.name, uuid: object.uuid };
}

interface Clock {
  startedAt: Date;
  startedTick: number;
}

function startClock(): Clock {
  return { startedAt: new Date(), startedTick: performance.now() };
}

/** Duration from the monotonic clock; the wall clock only anchors start and end. */
function migrationRecord(
  parties: { vm: XenObject; source: XenObject; destination: XenObject },
  clock: Clock,
  task: string,
  failure?: XenError,
): MigrationRecord {
  const durationMs = performance.now() - clock.startedTick;
  const record: MigrationRecord = {
    vm: summary(parties.vm),
    source: summary(parties.source),
    destination: summary(parties.destination),
    start: clock.startedAt.toISOString(),
    end: new Date(clock.startedAt.getTime() + durationMs).toISOString(),
    durationMs,
    task,
    ok: failure === undefined,
  };
  if (failure !== undefined) {
    record.reason = failure.message;
    record.failure = { kind: failure.kind, retryable: failure.retryable };
    if (failure.xapiCode !== undefined) record.failure.xapiCode = failure.xapiCode;
  }
  return record;
}
