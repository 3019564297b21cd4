// An engine with its own workers in a separate process, so a test can kill it (SIGKILL, as a
// crash would) in the middle of a run and start another one against the same Redis. Input as
// JSON in MIGRASCOPE_ENGINE_TEST (redis url, prefix, testbed XAPI, experiment manifest, uid);
// prints one line per status change: {"phase": ..., "migrations": [...]}.
import { Redis } from 'ioredis';
import { parseExperiment } from '../../src/api/v1alpha1/index.ts';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import { startWorkers } from '../../src/engine/workers.ts';
import { createLogger } from '../../src/log/index.ts';
import { ExperimentQueues } from '../../src/queue/queues.ts';

interface Input {
  redisUrl: string;
  prefix: string;
  xapi: { url: string; username: string; password: string };
  experiment: unknown;
  uid: string;
}

const input = JSON.parse(process.env.MIGRASCOPE_ENGINE_TEST ?? '{}') as Input;
const experiment = parseExperiment(input.experiment);
const redis = new Redis(input.redisUrl, { maxRetriesPerRequest: null });
const connection = new Redis(input.redisUrl, { maxRetriesPerRequest: null });
const log = createLogger({ level: 'silent', pretty: false });
const resolvePool = async () => input.xapi;
const queues = new ExperimentQueues({ connection, prefix: input.prefix });
startWorkers({ connection, redis, prefix: input.prefix, resolvePool, log, lockDurationMs: 5000 });
const runner = new ExperimentRunner(
  experiment,
  { uid: input.uid, namespace: experiment.metadata.namespace ?? 'default', name: experiment.metadata.name },
  { redis, prefix: input.prefix, queues, resolvePool, log, leadMs: 1000, pollMs: 200 },
  {
    onStatus: (status) => {
      const run = status.runs?.at(-1);
      process.stdout.write(`${JSON.stringify({ phase: status.phase, migrations: run?.migrations ?? [] })}\n`);
    },
  },
);
await runner.run();
process.exit(0);
