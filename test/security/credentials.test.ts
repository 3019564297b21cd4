// Credentials never leak: the pool's password, distinctive and known to the test, is looked for in
// everything a user of the cluster or an attacker with some access could read, after the operator
// ran an experiment end to end on a real kube-apiserver (with a migration and a request log) and
// after a local `migrascope run`, every process at log level trace:
//   - every object's status and all Events of the namespace (anyone with `get` on them);
//   - the controller's and the workers' logs (at trace, so debug records too), the run's stderr and stdout;
//   - the controller's and the workers' /metrics, the controller's HTML report, `run --report`;
//   - `run --json` and the results directories (request logs);
//   - every key in Redis (whoever reaches Redis).
// The password is looked for as written, base64 (HTTP basic auth) and URL-encoded. A XenPool whose
// URL carries the password (a mistake a person makes) is included: it is refused without echoing it.
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_VERSION } from '../../src/api/v1alpha1/index.ts';
import { clusterPoolResolver } from '../../src/controller/cluster-pool-credentials.ts';
import type { Operator } from '../../src/controller/operator.ts';
import { KubeClient } from '../../src/controller/runtime/index.ts';
import { startWorkers, type WorkerHost } from '../../src/engine/workers.ts';
import { createLogger } from '../../src/log/index.ts';
import { MigrascopeMetrics, startMetricsServer, WorkerMetrics, type MetricsServer } from '../../src/metrics/index.ts';
import { parseTopology } from '../../src/testbed/index.ts';
import { at, experimentManifest, startClusterHarness, type ClusterHarness } from '../e2e/controller-cluster.ts';
import { engineTopology } from '../support/engine.ts';
import { temporaryDirectory } from '../support/processes.ts';
import { BIN } from '../support/cli.ts';
import { testbedPoolDocuments, twoHostTopology } from '../support/run-topology.ts';

vi.setConfig({ testTimeout: 240_000 });

const PASSWORD = `Leak-Canary-${randomBytes(6).toString('hex')}-Pw`;
const FORMS = [PASSWORD, Buffer.from(`root:${PASSWORD}`).toString('base64'), Buffer.from(PASSWORD).toString('base64'), encodeURIComponent(`:${PASSWORD}@`)];

/** Where in `corpus` (source name -> text) a form of the password appears. */
function leaks(corpus: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [source, text] of corpus) {
    for (const form of FORMS) if (text.includes(form)) found.push(`${source} holds ${form === PASSWORD ? 'the password' : `"${form}"`}`);
  }
  return found;
}

/** A logger at trace level writing JSON lines into `lines`. */
function capturedLogger(lines: string[]) {
  return createLogger({
    level: 'trace',
    pretty: false,
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  });
}

async function filesUnder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isFile()) files.set(join(entry.parentPath, entry.name), await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return files;
}

/** Every key of Redis and its value, whatever its type. */
async function redisDump(url: string): Promise<Map<string, string>> {
  const redis = new Redis(url);
  const dump = new Map<string, string>();
  try {
    for (const key of await redis.keys('*')) {
      const type = await redis.type(key);
      const value =
        type === 'string' ? await redis.get(key)
        : type === 'hash' ? JSON.stringify(await redis.hgetall(key))
        : type === 'list' ? JSON.stringify(await redis.lrange(key, 0, -1))
        : type === 'set' ? JSON.stringify(await redis.smembers(key))
        : type === 'zset' ? JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'))
        : type === 'stream' ? JSON.stringify(await redis.xrange(key, '-', '+'))
        : '';
      dump.set(`redis ${key}`, value ?? '');
    }
  } finally {
    redis.disconnect();
  }
  return dump;
}

describe('Given the operator on a real apiserver, its workers and a pool whose password is a known canary, all logging at trace', () => {
  let harness: ClusterHarness;
  let operator: Operator;
  let workers: WorkerHost;
  let workerServer: MetricsServer;
  const connections: Redis[] = [];
  const controllerLog: string[] = [];
  const workerLog: string[] = [];
  const corpus = new Map<string, string>();

  beforeAll(async () => {
    harness = await startClusterHarness({ topology: { ...engineTopology(), credentials: { username: 'root', password: PASSWORD } } });
    expect(harness.testbed.xapi.password).toBe(PASSWORD);
    // The harness' workers log nowhere: these log at trace, and serve /metrics.
    await harness.stopWorkers();
    connections.push(new Redis(harness.redis.url, { maxRetriesPerRequest: null }), new Redis(harness.redis.url, { maxRetriesPerRequest: null }));
    const [connection, redis] = connections as [Redis, Redis];
    const workerMetrics = new MigrascopeMetrics();
    const log = capturedLogger(workerLog);
    workers = startWorkers({ connection, redis, prefix: harness.prefix, resolvePool: clusterPoolResolver(harness.admin), log, metrics: new WorkerMetrics(workerMetrics.registry) });
    workerServer = await startMetricsServer({ registry: workerMetrics.registry, port: 0 });
    operator = await harness.startController({ log: capturedLogger(controllerLog), metricsPort: 0 });

    // A person's mistake: the password inside the pool's URL.
    await harness.create('XenPool', {
      metadata: { name: 'password-in-url' },
      spec: { url: harness.testbed.xapi.url.replace('http://', `http://root:${PASSWORD}@`), credentialsSecretRef: { name: 'xapi-credentials' } },
    });
    await harness.create('MigrationExperiment', experimentManifest(harness, 'canary', { steady: '6s', spec: { record: { requestLog: true } } }));
    const phase = await harness.eventually('the experiment to end', async () => {
      const value = at(await harness.get('MigrationExperiment', 'canary'), 'status', 'phase') as string | undefined;
      return value === 'Succeeded' || value === 'Failed' || value === 'Aborted' ? value : undefined;
    }, 200_000);
    expect(phase).toBe('Succeeded');
    await harness.eventually('the mistaken pool to be judged', async () => at(await harness.get('XenPool', 'password-in-url'), 'status', 'lastError'));

    for (const kind of ['XenPool', 'MigrationExperiment', 'MigrationCampaign', 'WorkloadProfile'] as const) {
      // The status is ours; the spec is what its author wrote (the mistaken URL holds the password there by their hand).
      for (const object of await harness.list(kind)) corpus.set(`${kind} ${String(at(object, 'metadata', 'name'))} status`, JSON.stringify(at(object, 'status') ?? {}));
    }
    const client = KubeClient.for(harness.admin);
    corpus.set('events.k8s.io Events', JSON.stringify(await client.request('GET', `/apis/events.k8s.io/v1/namespaces/${harness.namespace}/events`)));
    corpus.set('core Events', JSON.stringify(await client.request('GET', `/api/v1/namespaces/${harness.namespace}/events`)));
    corpus.set('controller /metrics', await (await fetch(`${operator.metricsUrl}/metrics`)).text());
    corpus.set('worker /metrics', await (await fetch(`${workerServer.url}/metrics`)).text());
    corpus.set('controller report', await (await fetch(`${operator.metricsUrl}/reports/${harness.namespace}/canary`)).text());
    for (const [file, text] of await filesUnder(join(harness.redis.dataDir, 'results'))) corpus.set(`results ${file}`, text);
    for (const [key, value] of await redisDump(harness.redis.url)) corpus.set(key, value);
    corpus.set('controller log', controllerLog.join(''));
    corpus.set('worker log', workerLog.join(''));
  });

  afterAll(async () => {
    await workers?.close(true);
    await workerServer?.close();
    for (const connection of connections) connection.disconnect();
    await harness?.close();
  });

  it('then what was read is the real thing: the Secret holds the canary, the logs are at trace and name the login, the report and the request log exist', async () => {
    const secret = await KubeClient.for(harness.admin).request<{ data: Record<string, string> }>('GET', `/api/v1/namespaces/${harness.namespace}/secrets/xapi-credentials`);
    expect(leaks(new Map([['the Secret', JSON.stringify(secret)]]))).toEqual(['the Secret holds "' + FORMS[2] + '"']);
    expect(corpus.get('controller log')).toContain('"level":20');
    expect(corpus.get('worker log')).toContain('logged in to XAPI');
    expect(corpus.get('controller report')).toContain('<svg');
    expect([...corpus.keys()].some((source) => source.startsWith('results ') && source.endsWith('.jsonl'))).toBe(true);
    expect(corpus.get('XenPool password-in-url status')).toContain('not inside the URL');
  });

  it('then no status, Event, log line, metric, report, request log or Redis key holds the password in any form', () => {
    expect(leaks(corpus)).toEqual([]);
  });
});

describe('Given a local `migrascope run` against the testbed with the canary as its password, at trace level with DEBUG=*', () => {
  const corpus = new Map<string, string>();

  beforeAll(async () => {
    const dir = await temporaryDirectory('credentials-run');
    const topology = twoHostTopology({ pool: 'canary', tls: true }).replace('credentials: { username: root }', `credentials: { username: root, password: ${PASSWORD} }`);
    expect(parseTopology((await import('yaml')).parse(topology)).credentials.password).toBe(PASSWORD);
    await writeFile(join(dir, 'topology.yaml'), topology);
    await writeFile(
      join(dir, 'run.yaml'),
      `${testbedPoolDocuments({ tls: true }).replace('password: replaced', `password: ${PASSWORD}`)}---
apiVersion: ${API_VERSION}
kind: MigrationExperiment
metadata: { name: canary }
spec:
  poolRef: { name: testbed }
  target: { vm: { nameLabel: web }, applicationUrl: 'http://web.testbed.local/', probeUrl: 'http://web.testbed.local/healthz' }
  workload: { users: 5, drivers: 1, thinkTime: { mean: 500ms }, rampUp: 1s, steadyState: 5s, rampDown: 1s }
  sla: { window: 3s, step: 1s }
  migrations: { offsets: [2s], destination: { policy: mostFreeMemory }, timeout: 1m }
  record: { requestLog: true }
`,
    );
    const { stdout, stderr } = await promisify(execFile)(
      BIN,
      ['run', join(dir, 'run.yaml'), '--testbed', '--testbed-config', join(dir, 'topology.yaml'), '--results-dir', join(dir, 'results'), '--report', join(dir, 'report.html'), '--json', join(dir, 'status.json'), '--no-progress'],
      { env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'trace', DEBUG: '*' }, timeout: 150_000, maxBuffer: 64 * 1024 * 1024 },
    );
    corpus.set('run stdout', stdout);
    corpus.set('run stderr', stderr);
    for (const [file, text] of await filesUnder(dir)) if (!file.endsWith('run.yaml') && !file.endsWith('topology.yaml')) corpus.set(file, text);
  });

  it('then the run did its work and logged at trace: the table, the report, the statuses and a request log came out', () => {
    expect(corpus.get('run stdout')).toMatch(/canary: Succeeded/);
    expect(corpus.get('run stderr')).toContain('"level":20');
    expect([...corpus.keys()].some((file) => file.endsWith('report.html'))).toBe(true);
    expect([...corpus.keys()].some((file) => file.endsWith('status.json'))).toBe(true);
    expect([...corpus.keys()].some((file) => file.endsWith('.jsonl'))).toBe(true);
  });

  it('then neither its output, its logs, its report, its --json nor its results directory holds the password in any form', () => {
    expect(leaks(corpus)).toEqual([]);
  });
});
