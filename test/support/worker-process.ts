// Load and migration workers in a process of their own (what `migrascope worker` runs, with the
// testbed's XAPI instead of a cluster's XenPools), so a test can SIGKILL one mid-run as a node
// failure would. Input as JSON in MIGRASCOPE_WORKER_TEST (redis url, prefix, testbed XAPI, load
// concurrency; optionally a clock offset faked through the workers' injected clock, and the bound
// on it); prints "ready <worker id>" once it takes jobs.
import { Redis } from 'ioredis';
import { startWorkers } from '../../src/engine/workers.ts';
import { createLogger } from '../../src/log/index.ts';

interface Input {
  redisUrl: string;
  prefix: string;
  xapi: { url: string; username: string; password: string };
  loadConcurrency: number;
  /** Added to this process's clock as the workers' clock check reads it (the system clock is left alone). */
  clockOffsetMs?: number;
  maxClockOffsetMs?: number;
  /** Its log (JSON lines on stderr); default MIGRASCOPE_TEST_LOG or silent. */
  logLevel?: string;
}

const input = JSON.parse(process.env.MIGRASCOPE_WORKER_TEST ?? '{}') as Input;
const redis = new Redis(input.redisUrl, { maxRetriesPerRequest: null });
const connection = new Redis(input.redisUrl, { maxRetriesPerRequest: null });
const log = createLogger({ level: input.logLevel ?? process.env.MIGRASCOPE_TEST_LOG ?? 'silent', pretty: false });
const offsetMs = input.clockOffsetMs ?? 0;
const workers = startWorkers({
  connection,
  redis,
  prefix: input.prefix,
  resolvePool: async () => input.xapi,
  log,
  lockDurationMs: 5000,
  loadConcurrency: input.loadConcurrency,
  ...(input.maxClockOffsetMs === undefined ? {} : { maxClockOffsetMs: input.maxClockOffsetMs }),
  ...(offsetMs === 0 ? {} : { now: () => Date.now() + offsetMs }),
});
await workers.ready;
process.stdout.write(`ready ${workers.id}\n`);
