// Load and migration workers in a process of their own (what `migrascope worker` runs, with the
// testbed's XAPI instead of a cluster's XenPools), so a test can SIGKILL one mid-run as a node
// failure would. Input as JSON in MIGRASCOPE_WORKER_TEST (redis url, prefix, testbed XAPI, load
// concurrency); prints "ready" once it takes jobs.
import { Redis } from 'ioredis';
import { startWorkers } from '../../src/engine/workers.ts';
import { createLogger } from '../../src/log/index.ts';

interface Input {
  redisUrl: string;
  prefix: string;
  xapi: { url: string; username: string; password: string };
  loadConcurrency: number;
}

const input = JSON.parse(process.env.MIGRASCOPE_WORKER_TEST ?? '{}') as Input;
const redis = new Redis(input.redisUrl, { maxRetriesPerRequest: null });
const connection = new Redis(input.redisUrl, { maxRetriesPerRequest: null });
const log = createLogger({ level: process.env.MIGRASCOPE_TEST_LOG ?? 'silent', pretty: false });
startWorkers({ connection, redis, prefix: input.prefix, resolvePool: async () => input.xapi, log, lockDurationMs: 5000, loadConcurrency: input.loadConcurrency });
await redis.ping();
process.stdout.write('ready\n');
