// Performs one scheduled live migration of a run, exactly once. Before asking XAPI it claims the
// migration in Redis (SET NX); a worker that finds the claim taken, because an earlier attempt
// died mid-migration, follows the recorded XAPI task to its end instead of migrating again. An
// active probe polls the application throughout, so the downtime users saw is measured from the
// client side, next to what XAPI reports. XAPI's refusals are final, but one: a VM busy with
// another operation (OTHER_OPERATION_IN_PROGRESS) is asked again, a few times with backoff, since
// XAPI refused before starting anything and the other operation ends by itself. A migration in a
// sequence (migrations.vms, mode sequence) waits for the one before it to be recorded first.
import type { RedisClient } from '../queue/redis-connection.ts';
import type { Logger } from '../log/index.ts';
import type { LoadTargetAllowList } from './load-targets.ts';
import type { WorkerMetrics } from '../metrics/index.ts';
import { DowntimeProbe } from '../load/index.ts';
import type { MigrationJobData, PoolRef } from '../queue/contracts.ts';
import { primaryReplicas, REPLICA_WAIT_MS } from '../queue/replication.ts';
import { experimentLastSourceKey, RunKeys } from '../queue/run-keys.ts';
import { testbedOnRealPool, XenPool, type Host, type MigrationOptions, type MigrationRecord, type Vm, type XapiCredentials } from '../xen/index.ts';

export type PoolResolver = (pool: PoolRef) => Promise<XapiCredentials>;

/** What a migration did, as the engine records it (JSON in the run's migrations hash). */
export interface MigrationOutcome {
  index: number;
  offsetMs: number;
  state: 'Succeeded' | 'Failed' | 'Cancelled';
  source?: string;
  destination?: string;
  startTime?: string;
  endTime?: string;
  durationSeconds?: number;
  /** The longest time the probe got no answer, overlapping the migration. */
  downtimeSeconds?: number;
  /** When that gap began and ended (epoch ms): the stop-and-copy as clients saw it. */
  downtimeStartMs?: number;
  downtimeEndMs?: number;
  modelDowntimeSeconds?: number;
  modelDurationSeconds?: number;
  task?: string;
  message?: string;
}

interface Claim {
  attempt: string;
  source: string;
  destination: string;
  destinationRef: string;
  requestedAt: string;
  task?: string;
}

export interface MigrationWorkerDeps {
  redis: RedisClient;
  prefix: string;
  resolvePool: PoolResolver;
  log: Logger;
  metrics?: WorkerMetrics | undefined;
  /** After the task ends, keep probing this long so a late stall is still seen (default 1 s). */
  probeTailMs?: number;
  probeIntervalMs?: number;
  /** How often a busy VM is asked for (default 5) and the first wait, doubled each time (default 2 s). */
  busyRetry?: BusyRetry;
  /** Where each namespace may send requests (the probe's); unrestricted when undefined. */
  loadTargets?: LoadTargetAllowList | undefined;
  /** How often a migration in sequence looks whether the one before it ended (default 200 ms). */
  sequencePollMs?: number;
}

export interface BusyRetry {
  attempts: number;
  firstDelayMs: number;
}

const BUSY_RETRY: BusyRetry = { attempts: 5, firstDelayMs: 2_000 };

/** A migration this worker refuses before starting it (its clock, see shard-admission.ts): Failed, with why. */
export async function refuseMigration(job: MigrationJobData, deps: Pick<MigrationWorkerDeps, 'redis' | 'prefix'>, reason: string): Promise<MigrationOutcome> {
  const keys = new RunKeys(deps.prefix, job.experiment, job.run);
  return record(deps.redis, keys, { index: job.index, offsetMs: job.offsetMs, state: 'Failed', message: `not started: ${reason}` });
}

export async function performMigration(job: MigrationJobData, attempt: string, deps: MigrationWorkerDeps): Promise<MigrationOutcome> {
  const keys = new RunKeys(deps.prefix, job.experiment, job.run);
  const log = deps.log.child({ experiment: job.experiment.name, run: job.run, migration: job.index });
  const recorded = await deps.redis.hget(keys.migrations, String(job.index));
  if (recorded) return JSON.parse(recorded) as MigrationOutcome;

  const base = { index: job.index, offsetMs: job.offsetMs };
  const notStarted = await waitForPrevious(job, keys, deps);
  if (notStarted !== undefined) return record(deps.redis, keys, { ...base, state: 'Cancelled', message: `not started: ${notStarted}` });
  // The probe sends requests for the namespace: the job came through Redis, so it is checked here too.
  const refused = await deps.loadTargets?.refusal(job.experiment.namespace, job.probeUrl);
  if (refused !== undefined) {
    log.warn({ namespace: job.experiment.namespace }, `refusing the migration: ${refused}`);
    return record(deps.redis, keys, { ...base, state: 'Failed', message: `not started: ${refused}` });
  }

  const pool = await XenPool.connect(await deps.resolvePool(job.pool), { log });
  try {
    const vm = await pool.findVm(job.vm);
    const claimKey = keys.migrationClaim(job.index);
    const existing = await deps.redis.get(claimKey);
    if (existing !== null) {
      const claim = JSON.parse(existing) as Claim;
      log.warn({ claim }, 'this migration was already requested by an earlier attempt: following it, not migrating again');
      const outcome = await followEarlierAttempt(pool, vm, claim, job, deps);
      if (outcome) return await finish(deps, keys, job, outcome);
      // The earlier attempt died before XAPI heard of the migration: ask for it now, once.
      log.warn('the earlier attempt never reached XAPI: migrating now');
      await deps.redis.del(claimKey);
    }

    if (job.testbed && !(await pool.isSimulated())) {
      return await record(deps.redis, keys, { ...base, state: 'Failed', message: `not started: ${testbedOnRealPool(pool.url)}` });
    }
    const previousSource = (await deps.redis.get(experimentLastSourceKey(deps.prefix, job.experiment, job.vm))) ?? undefined;
    const destination = await pool.chooseDestination(vm, job.destination, previousSource);
    const hosts = await pool.listHosts();
    const source = hosts.find((host) => host.ref === vm.residentOn)?.name ?? vm.residentOn;
    const claim: Claim = { attempt, source, destination: destination.name, destinationRef: destination.ref, requestedAt: new Date().toISOString() };
    if (!(await claimDurably(deps.redis, claimKey, claim, log))) {
      throw new Error(`migration ${job.index} of run ${job.run} was claimed by another worker at the same moment; it will be followed on retry`);
    }

    const probe = new DowntimeProbe({ mode: 'http', url: job.probeUrl, intervalMs: deps.probeIntervalMs ?? 20 });
    probe.start();
    const measured = deps.metrics?.migrationStarted(job.experiment.namespace, job.experiment.name);
    let result: MigrationRecord;
    try {
      const stopped = async () => (await deps.redis.get(keys.abort)) !== null;
      result = await migrateWhenFree(pool, vm, destination, deps.busyRetry ?? BUSY_RETRY, stopped, log, {
        testbed: job.testbed,
        onProgress: (progress) => measured?.progress(progress.progress, progress.dataRemainingBytes),
        onTask: (task: string) => {
          claim.task = task;
          void deps.redis.set(claimKey, JSON.stringify(claim)).catch((error: unknown) => log.warn({ err: error }, 'could not record the task of the migration'));
        },
      });
      await new Promise((resolve) => setTimeout(resolve, deps.probeTailMs ?? 1000));
    } finally {
      measured?.end();
      await probe.stop();
    }
    const startMs = Date.parse(result.start);
    const gap = probe.longestGap(startMs, startMs + result.durationMs);
    const outcome = { ...outcomeOf(base, result, gap.durationMs / 1000), downtimeStartMs: gap.fromMs, downtimeEndMs: gap.toMs };
    const model = result.ok ? await pool.modelledMigration(vm) : undefined;
    return await finish(deps, keys, job, { ...outcome, ...model });
  } finally {
    await pool.close();
  }
}

/**
 * Why the migration must not start, if it must not: the run was stopped, or (in sequence) the
 * migration before it did not succeed. In sequence it first waits for that one to be recorded.
 */
async function waitForPrevious(job: MigrationJobData, keys: RunKeys, deps: MigrationWorkerDeps): Promise<string | undefined> {
  for (;;) {
    const aborted = await deps.redis.get(keys.abort);
    if (aborted !== null) return `the run was stopped (${aborted})`;
    if (job.after === undefined) return undefined;
    const recorded = await deps.redis.hget(keys.migrations, String(job.after));
    if (recorded !== null) {
      const previous = JSON.parse(recorded) as MigrationOutcome;
      return previous.state === 'Succeeded' ? undefined : `migration ${job.after}, before it in sequence, ended ${previous.state}`;
    }
    await new Promise((resolve) => setTimeout(resolve, deps.sequencePollMs ?? 200));
  }
}

/** The migration, asked again while XAPI says the VM is busy (bounded, backing off, never once the run stopped). */
async function migrateWhenFree(
  pool: XenPool,
  vm: Vm,
  destination: Host,
  retry: BusyRetry,
  stopped: () => Promise<boolean>,
  log: Logger,
  options: MigrationOptions,
): Promise<MigrationRecord> {
  for (let attempt = 1, delayMs = retry.firstDelayMs; ; attempt += 1, delayMs *= 2) {
    const result = await pool.migrate(vm, destination, options);
    if (result.ok || result.failure?.kind !== 'operation-in-progress') return result;
    if (attempt >= retry.attempts) return { ...result, reason: `${result.reason ?? ''} (asked ${attempt} times; the VM stayed busy)` };
    if (await stopped()) return result;
    log.warn({ attempt, delayMs, reason: result.reason }, 'the VM is busy with another operation: asking again');
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

async function followEarlierAttempt(pool: XenPool, vm: Vm, claim: Claim, job: MigrationJobData, deps: MigrationWorkerDeps): Promise<MigrationOutcome | undefined> {
  const base = { index: job.index, offsetMs: job.offsetMs };
  const result = await pool.followMigration(vm, { task: claim.task, source: claim.source, destination: claim.destination, start: claim.requestedAt });
  if (result === undefined) return undefined;
  const outcome = outcomeOf(base, result, undefined);
  const model = result.ok ? await pool.modelledMigration(vm) : undefined;
  deps.log.info({ state: outcome.state }, 'followed the earlier attempt to its end');
  return {
    ...outcome,
    ...model,
    message: [outcome.message, 'the engine restarted during this migration: it was followed, not repeated; client-side downtime was not measured'].filter(Boolean).join('; '),
  };
}

function outcomeOf(base: { index: number; offsetMs: number }, result: MigrationRecord, downtimeSeconds: number | undefined): MigrationOutcome {
  return {
    ...base,
    state: result.ok ? 'Succeeded' : 'Failed',
    source: result.source.name,
    destination: result.destination.name,
    startTime: result.start,
    endTime: result.end,
    durationSeconds: result.durationMs / 1000,
    ...(downtimeSeconds === undefined ? {} : { downtimeSeconds }),
    ...(result.task ? { task: result.task } : {}),
    ...(result.reason ? { message: withXapiCode(result) } : {}),
  };
}

/** The reason in words, then XAPI's own code, so a status names the error a XenServer admin would search for. */
function withXapiCode(result: MigrationRecord): string | undefined {
  const code = result.failure?.xapiCode;
  return code === undefined ? result.reason : `${result.reason ?? ''} (XAPI ${code})`;
}

async function finish(deps: MigrationWorkerDeps, keys: RunKeys, job: MigrationJobData, outcome: MigrationOutcome): Promise<MigrationOutcome> {
  if (outcome.state === 'Succeeded' && outcome.source) {
    await deps.redis.set(experimentLastSourceKey(deps.prefix, job.experiment, job.vm), outcome.source);
  }
  return record(deps.redis, keys, outcome);
}

/** How many times a claim waits REPLICA_WAIT_MS for the replicas before XAPI is asked all the same. */
const CLAIM_WAIT_ATTEMPTS = 5;

/**
 * Claims the migration (SET NX) and waits until the primary's replicas have the claim before XAPI
 * is asked: a primary failing over just after would otherwise forget it, and the retry would
 * migrate the VM a second time instead of following the task. The claim read back on the server
 * that answered WAIT says it is there (a pipeline cut by a failover is sent again to the new
 * primary, which may never have had it: then it is set again). False: another attempt holds it.
 * A replica that stays silent delays the migration by CLAIM_WAIT_ATTEMPTS seconds, then it goes on.
 */
async function claimDurably(redis: RedisClient, claimKey: string, claim: Claim, log: Logger): Promise<boolean> {
  const value = JSON.stringify(claim);
  const replicas = await primaryReplicas(redis, claimKey);
  for (let attempt = 1; ; attempt += 1) {
    const sentAt = Date.now();
    const pipeline = redis.pipeline().set(claimKey, value, 'NX');
    if (replicas > 0) pipeline.wait(replicas, REPLICA_WAIT_MS);
    const replies = (await pipeline.get(claimKey).exec()) ?? [];
    const [error, held] = replies.at(-1) ?? [new Error('Redis answered no reply to the claim')];
    if (error) throw error;
    if (held !== value) return false;
    const acknowledged = replicas > 0 ? replies[1] : undefined;
    if (!acknowledged || (!acknowledged[0] && Number(acknowledged[1]) >= replicas)) return true;
    if (attempt >= CLAIM_WAIT_ATTEMPTS) {
      log.warn({ replicas, acknowledged: acknowledged[1] }, `the claim of the migration is not on every replica after ${attempt} s: migrating all the same`);
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sentAt + REPLICA_WAIT_MS - Date.now())));
  }
}

async function record(redis: RedisClient, keys: RunKeys, outcome: MigrationOutcome): Promise<MigrationOutcome> {
  // HSETNX: should two attempts ever both finish, the first word stands.
  await redis.hsetnx(keys.migrations, String(outcome.index), JSON.stringify(outcome));
  return JSON.parse((await redis.hget(keys.migrations, String(outcome.index)))!) as MigrationOutcome;
}
