// What a `migrascope worker` process does, on its own /metrics: the load shards and users it
// drives, the actions they complete by outcome, how saturated the driver is (event-loop delay,
// actions in flight), the migrations it follows (XAPI task progress, and the data still to send
// where the task says) and the BullMQ jobs by state. Per process, not per experiment (the engine
// exports those), except the progress and data remaining of a migration under way, whose series
// go when the migration ends.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SecondSnapshot } from '../recording/index.ts';

/** A BullMQ queue as the worker counts its jobs. */
export interface CountedQueue {
  name: string;
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

export const COUNTED_JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** One load shard as it reports to the worker's metrics. */
export interface ShardMetrics {
  progress(activeUsers: number, actionsInFlight: number): void;
  second(snapshot: SecondSnapshot): void;
  end(): void;
}

export class WorkerMetrics {
  readonly loadShards: Gauge;
  readonly loadUsers: Gauge;
  readonly actionsInFlight: Gauge;
  readonly actions: Counter<'action' | 'outcome'>;
  readonly eventLoopDelay: Gauge<'percentile'>;
  readonly jobs: Gauge<'queue' | 'state'>;
  readonly migrationProgress: Gauge<'namespace' | 'experiment'>;
  readonly migrationDataRemaining: Gauge<'namespace' | 'experiment'>;
  readonly migrationsRunning: Gauge;
  readonly clockOffsetSeconds: Gauge;
  readonly shardsDeclined: Counter<'reason' | 'outcome'>;
  readonly #shards = new Map<number, { users: number; inFlight: number }>();
  #nextShard = 0;
  readonly #queues: CountedQueue[] = [];
  readonly #delay: ReturnType<typeof monitorEventLoopDelay>;

  constructor(registry: Registry) {
    const registers = [registry];
    const shards = this.#shards;
    const sum = (of: (shard: { users: number; inFlight: number }) => number): number => [...shards.values()].reduce((total, shard) => total + of(shard), 0);
    this.loadShards = new Gauge({
      name: 'migrascope_worker_load_shards',
      help: 'Load shards this worker drives now',
      registers,
      collect() {
        this.set(shards.size);
      },
    });
    this.loadUsers = new Gauge({
      name: 'migrascope_worker_load_users',
      help: 'Simulated users active in the load shards this worker drives',
      registers,
      collect() {
        this.set(sum((shard) => shard.users));
      },
    });
    this.actionsInFlight = new Gauge({
      name: 'migrascope_worker_actions_in_flight',
      help: 'User actions sent to the application and not answered yet (each action: its requests)',
      registers,
      collect() {
        this.set(sum((shard) => shard.inFlight));
      },
    });
    this.actions = new Counter({
      name: 'migrascope_worker_actions_total',
      help: 'User actions completed by the load shards of this worker, every phase, by outcome (ok or the error kind)',
      labelNames: ['action', 'outcome'],
      registers,
    });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    this.#delay = delay;
    this.eventLoopDelay = new Gauge({
      name: 'migrascope_worker_event_loop_delay_seconds',
      help: 'Event-loop delay of the load driver since the previous scrape, by percentile (100: the largest); high means timings are late',
      labelNames: ['percentile'],
      registers,
      collect() {
        const seconds = (ns: number): number => (Number.isFinite(ns) && delay.count > 0 ? ns / 1e9 : 0);
        this.set({ percentile: '50' }, seconds(delay.percentile(50)));
        this.set({ percentile: '99' }, seconds(delay.percentile(99)));
        this.set({ percentile: '100' }, seconds(delay.max));
        delay.reset();
      },
    });
    const queues = this.#queues;
    this.jobs = new Gauge({
      name: 'migrascope_worker_queue_jobs',
      help: 'BullMQ jobs of a queue by state (waiting, active, delayed, failed), read when scraped',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        for (const queue of queues) {
          const counts = await queue.getJobCounts(...COUNTED_JOB_STATES);
          for (const state of COUNTED_JOB_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
    this.migrationsRunning = new Gauge({ name: 'migrascope_worker_migrations_running', help: 'Live migrations this worker follows now', registers });
    this.clockOffsetSeconds = new Gauge({
      name: 'migrascope_worker_clock_offset_seconds',
      help: "This worker's clock minus Redis's (TIME), as last read; beyond --max-clock-offset it refuses load shards",
      registers,
    });
    this.shardsDeclined = new Counter({
      name: 'migrascope_worker_load_shards_declined_total',
      help: 'Load shards this worker did not take, by reason (fairShare, clock) and outcome (handedBack to another worker, failed)',
      labelNames: ['reason', 'outcome'],
      registers,
    });
    this.migrationProgress = new Gauge({
      name: 'migrascope_migration_progress_ratio',
      help: "Progress of the XAPI task of the experiment's migration under way (0 to 1), while it runs",
      labelNames: ['namespace', 'experiment'],
      registers,
    });
    this.migrationDataRemaining = new Gauge({
      name: 'migrascope_migration_data_remaining_bytes',
      help: "Bytes the experiment's migration under way still has to send, where its XAPI task says (the testbed's pre-copy model; not a real XenServer), while it runs",
      labelNames: ['namespace', 'experiment'],
      registers,
    });
  }

  /** This worker's clock minus Redis's, as last read (engine/worker-clock). */
  clockOffset(seconds: number): void {
    this.clockOffsetSeconds.set(seconds);
  }

  /** A load shard this worker did not take: handed back to the others, or failed (engine/shard-admission). */
  shardDeclined(reason: 'fairShare' | 'clock', outcome: 'handedBack' | 'failed'): void {
    this.shardsDeclined.inc({ reason, outcome });
  }

  /** Counts these queues' jobs on every scrape. */
  countJobs(...queues: CountedQueue[]): void {
    this.#queues.push(...queues);
  }

  shardStarted(): ShardMetrics {
    const id = this.#nextShard++;
    const shard = { users: 0, inFlight: 0 };
    this.#shards.set(id, shard);
    return {
      progress: (activeUsers, inFlight) => {
        shard.users = activeUsers;
        shard.inFlight = inFlight;
      },
      second: (snapshot) => {
        for (const [action, part] of Object.entries(snapshot.actions)) {
          if (part.ok > 0) this.actions.inc({ action, outcome: 'ok' }, part.ok);
          for (const [kind, count] of Object.entries(part.errors)) if (count) this.actions.inc({ action, outcome: kind }, count);
        }
      },
      end: () => this.#shards.delete(id),
    };
  }

  /**
   * A migration under way: its XAPI task's progress and, when the task reports it, the data still
   * to send (never set when it does not), until end() removes the series.
   */
  migrationStarted(namespace: string, experiment: string): { progress(ratio: number, dataRemainingBytes?: number): void; end(): void } {
    const labels = { namespace, experiment };
    this.migrationsRunning.inc();
    this.migrationProgress.set(labels, 0);
    return {
      progress: (ratio, dataRemainingBytes) => {
        this.migrationProgress.set(labels, Math.min(1, Math.max(0, ratio)));
        if (dataRemainingBytes !== undefined) this.migrationDataRemaining.set(labels, Math.max(0, dataRemainingBytes));
      },
      end: () => {
        this.migrationsRunning.dec();
        this.migrationProgress.remove(labels);
        this.migrationDataRemaining.remove(labels);
      },
    };
  }

  close(): void {
    this.#delay.disable();
  }
}
