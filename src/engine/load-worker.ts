// Drives one shard of a run's users. All shards share the run's start instant, so their seconds
// line up; every complete second goes to Redis as it is drained, with a watermark saying "nothing
// more will come before this second", which is what lets the engine judge windows live. A shard
// retried after its worker died picks up the same timetable: users whose start is past act at
// once, and the seconds the dead attempt already sent stay counted.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RedisClient } from '../queue/redis-connection.ts';
import type { Logger } from '../log/index.ts';
import type { LoadTargetAllowList } from './load-targets.ts';
import type { WorkerMetrics } from '../metrics/index.ts';
import { runLoad } from '../load/index.ts';
import type { SecondSnapshot } from '../recording/index.ts';
import { compileProfile, loadProfile, parseProfileDocument, type Profile } from '../workloads/index.ts';
import type { LoadJobData, ThinkTimeSpec } from '../queue/contracts.ts';
import { RunKeys } from '../queue/run-keys.ts';
import { ShardPublisher } from './second-stream.ts';

/** How a shard ended, as recorded in the run's shards hash. */
export interface ShardEnd {
  shard: number;
  state: 'done' | 'stopped' | 'failed';
  completed: number;
  errors: number;
  /** A few failures per action, with their kind and reason, to say what went wrong. */
  failureSamples?: Record<string, string[]>;
  /** Request-log lines dropped because the disk fell behind (the seconds still count them). */
  requestLogDropped?: number;
  /** The worker process that drove it (host/pid/...): who ran what, when shards spread over workers. */
  worker?: string;
  message?: string;
}

export interface LoadWorkerDeps {
  redis: RedisClient;
  prefix: string;
  log: Logger;
  metrics?: WorkerMetrics | undefined;
  /** How often the abort key is looked at (default 250 ms). */
  abortPollMs?: number;
  /** Where each namespace may send load; unrestricted when undefined. */
  loadTargets?: LoadTargetAllowList | undefined;
  /** This worker process, as the shard's end records it. */
  workerId?: string | undefined;
}

export async function performLoad(job: LoadJobData, deps: LoadWorkerDeps): Promise<ShardEnd> {
  const keys = new RunKeys(deps.prefix, job.experiment, job.run);
  const log = deps.log.child({ experiment: job.experiment.name, run: job.run, shard: job.shard });
  const recorded = await deps.redis.hget(keys.shards, String(job.shard));
  if (recorded) return JSON.parse(recorded) as ShardEnd;
  // Jobs come through Redis, which others may write to: the worker checks the target itself, before any request.
  const refused = await deps.loadTargets?.refusal(job.experiment.namespace, job.url);
  if (refused !== undefined) {
    log.warn({ namespace: job.experiment.namespace }, `refusing the load shard: ${refused}`);
    return refuseShard(job, deps, refused);
  }

  const resolved = resolveProfile(job.profile, job.params ?? {});
  const profile = job.thinkTime ? withThinkTime(resolved, job.thinkTime) : resolved;
  // The request log goes under the controller's --results-dir, which need not exist on this worker
  // (`migrascope run` makes it; a worker process or pod starts without it).
  if (job.requestLogPath !== undefined) await mkdir(dirname(job.requestLogPath), { recursive: true });
  const stop = new AbortController();
  const watchAbort = setInterval(() => {
    deps.redis
      .get(keys.abort)
      .then((reason) => {
        if (reason !== null && !stop.signal.aborted) {
          log.info({ reason }, 'run stopped: ending this shard');
          stop.abort(reason);
        }
      })
      .catch((error: unknown) => log.warn({ err: error }, 'cannot read the abort flag'));
  }, deps.abortPollMs ?? 250);

  const publisher = new ShardPublisher(deps.redis, keys, job.shard);
  await publisher.claim();
  let pending: SecondSnapshot[] = [];
  let watermark = Math.floor(job.startAtMs / 1000);
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    if (await publisher.publish(batch, watermark)) return;
    if (!stop.signal.aborted) log.warn('another attempt of this shard took it over (this one was thought dead): stopping, its seconds go uncounted');
    stop.abort('superseded');
  };
  // While Redis is away the seconds wait in the publisher, in order, and go once it is back.
  const flushEverySecond = setInterval(() => void flush().catch((error: unknown) => log.error({ err: error }, 'cannot publish seconds (kept, sent again with the next)')), 1000);

  let end: ShardEnd;
  const measured = deps.metrics?.shardStarted();
  try {
    const result = await runLoad({
      url: job.url,
      profile,
      users: job.users ?? Math.max(1, Math.ceil(job.rate ?? 1)),
      ...(job.rate === undefined ? {} : { rate: [{ perSecond: job.rate, durationMs: undefined }] }),
      plan: { rampUpMs: job.rampUpMs, steadyMs: job.steadyMs, rampDownMs: job.rampDownMs },
      startAtMs: job.startAtMs,
      seed: job.seed + job.shard,
      ...(job.requestLogPath === undefined ? {} : { logPath: job.requestLogPath }),
      signal: stop.signal,
      onProgress: (progress) => measured?.progress(progress.activeUsers, progress.inFlight),
      onSecond: (snapshot) => {
        measured?.second(snapshot);
        pending.push(snapshot);
        watermark = Math.max(watermark, snapshot.second + 1);
      },
    });
    end = {
      shard: job.shard,
      ...(deps.workerId === undefined ? {} : { worker: deps.workerId }),
      state: result.stoppedEarly ? 'stopped' : 'done',
      completed: Object.values(result.phases).reduce((sum, phase) => sum + phase.actions, 0),
      errors: Object.values(result.phases).reduce((sum, phase) => sum + phase.errors, 0),
      ...(Object.keys(result.failureSamples).length > 0 ? { failureSamples: result.failureSamples } : {}),
      ...(result.requestLog && result.requestLog.dropped > 0 ? { requestLogDropped: result.requestLog.dropped } : {}),
    };
  } finally {
    clearInterval(watchAbort);
    clearInterval(flushEverySecond);
    measured?.end();
  }
  watermark = Math.max(watermark, Math.ceil((job.startAtMs + job.rampUpMs + job.steadyMs + job.rampDownMs) / 1000) + 1);
  await flush();
  // A superseded attempt leaves the shard's end to the attempt that owns it.
  if (publisher.superseded) return { ...end, state: 'stopped', message: 'superseded by a later attempt of this shard' };
  await deps.redis.hsetnx(keys.shards, String(job.shard), JSON.stringify(end));
  if (end.requestLogDropped) log.warn({ path: job.requestLogPath, dropped: end.requestLogDropped }, 'the disk fell behind the request log: lines dropped from it');
  if (end.errors > 0) log.warn({ completed: end.completed, errors: end.errors, failureSamples: end.failureSamples, state: end.state }, 'shard finished with failed actions');
  else log.info({ completed: end.completed, state: end.state }, 'shard finished');
  return end;
}

/** Ends a shard this worker will not drive, with why: the run fails with that reason (run-monitor). */
export async function refuseShard(job: LoadJobData, deps: Pick<LoadWorkerDeps, 'redis' | 'prefix' | 'workerId'>, reason: string): Promise<ShardEnd> {
  const keys = new RunKeys(deps.prefix, job.experiment, job.run);
  const end: ShardEnd = { shard: job.shard, ...(deps.workerId === undefined ? {} : { worker: deps.workerId }), state: 'failed', completed: 0, errors: 0, message: `not started: ${reason}` };
  await deps.redis.hsetnx(keys.shards, String(job.shard), JSON.stringify(end));
  return end;
}

function resolveProfile(profile: LoadJobData['profile'], params: Record<string, string | number>): Profile {
  if (typeof profile === 'string') return loadProfile(profile, params);
  return compileProfile(parseProfileDocument(profile, 'the WorkloadProfile in the job'), params);
}

function withThinkTime(profile: Profile, think: ThinkTimeSpec): Profile {
  return {
    ...profile,
    think: {
      distribution: think.distribution === 'negativeExponential' ? 'negexp' : think.distribution,
      mode: think.cycleType === 'cycleTime' ? 'cycle' : 'think',
      meanMs: think.meanMs,
      maxMs: think.meanMs * think.maxMultiple,
    },
  };
}
