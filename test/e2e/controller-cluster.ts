// What the controller's end-to-end tests stand on: a real kube-apiserver with the shipped CRDs, a
// namespace, the testbed (a small pool whose web VM fronts the reference app, or the application
// a test's own topology names), a local Redis, load and migration workers reading pool credentials
// through the API server (as `migrascope worker` does), a XenPool with its Secret, and helpers to
// read objects, Events and `kubectl get`.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { parse } from 'yaml';
import { API_VERSION } from '../../src/api/v1alpha1/index.ts';
import { clusterPoolResolver } from '../../src/controller/cluster-pool-credentials.ts';
import { startOperator, type Operator, type OperatorOptions } from '../../src/controller/operator.ts';
import { PLURALS } from '../../src/controller/resources.ts';
import { KubeApiError, KubeClient, MERGE_PATCH } from '../../src/controller/runtime/index.ts';
import { startWorkers, type WorkerHost } from '../../src/engine/workers.ts';
import { createLogger, type Logger } from '../../src/log/index.ts';
import { startLocalRedis, type LocalRedis } from '../../src/queue/local-redis.ts';
import type { MigrationReport, Testbed, TopologyConfig } from '../../src/testbed/index.ts';
import { startTestbed } from '../../src/testbed/index.ts';
import { kubeTools, runTool } from '../../scripts/kube-tools.ts';
import { startControlPlane, type ControlPlane } from '../controlplane/index.ts';
import { engineTopology } from '../support/engine.ts';
import { startProcess, type RunningProcess } from '../support/processes.ts';

const root = join(import.meta.dirname, '..', '..');
type Kind = keyof typeof PLURALS;
export type Json = Record<string, unknown>;

export interface ClusterHarness {
  plane: ControlPlane;
  namespace: string;
  testbed: Testbed;
  redis: LocalRedis;
  prefix: string;
  log: Logger;
  /** The testbed's migrations, in the order they ended. */
  migrations: MigrationReport[];
  admin: KubeConfig;
  /** Starts a controller in this process (admin identity unless given), stopped by close(). */
  startController(overrides?: Partial<OperatorOptions>): Promise<Operator>;
  /** Stops and starts the workers (a crash: running jobs abandoned to the new ones), as `identity` if given. */
  restartWorkers(identity?: KubeConfig): Promise<void>;
  /** Stops the in-process workers (a test running `migrascope worker` processes instead). */
  stopWorkers(): Promise<void>;
  create(kind: Kind, body: Json): Promise<Json>;
  get(kind: Kind, name: string): Promise<Json | undefined>;
  list(kind: Kind): Promise<Json[]>;
  patch(kind: Kind, name: string, patch: Json): Promise<Json>;
  remove(kind: Kind, name: string): Promise<void>;
  /** Events about an object, oldest first: "Type Reason: note". */
  events(name: string): Promise<string[]>;
  /** `kubectl get <plural> <name> -o wide` as the admin: the printer columns a person sees. */
  kubectlGet(kind: Kind, name: string): Promise<Record<string, string>>;
  /** Polls until `check` returns a value (not undefined), or fails saying what it waited for. */
  eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export interface ClusterHarnessOptions {
  /** The testbed's pool; default engineTopology() (a web VM fronting the reference app). */
  topology?: TopologyConfig;
}

export async function startClusterHarness(options: ClusterHarnessOptions = {}): Promise<ClusterHarness> {
  const log = createLogger({ level: process.env.MIGRASCOPE_TEST_LOG ?? 'silent', pretty: false });
  const plane = await startControlPlane();
  const admin = plane.kubeConfig();
  const client = KubeClient.for(admin);
  const namespace = `e2e-${randomBytes(3).toString('hex')}`;
  const cleanups: (() => Promise<void>)[] = [async () => plane.stop()];
  try {
    await applyCrds(client);
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const testbed = await startTestbed(options.topology ?? engineTopology());
    cleanups.unshift(async () => testbed.close());
    const redis = await startLocalRedis();
    cleanups.unshift(async () => redis.stop());
    const prefix = `e2e-${randomBytes(4).toString('hex')}`;
    const migrations: MigrationReport[] = [];
    testbed.migrations.on('migration', (report) => migrations.push(report));

    // The workers: as `migrascope worker` does, pool credentials read through the API server.
    const workerRedis = new Redis(redis.url, { maxRetriesPerRequest: null });
    const workerConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const workerOptions = { connection: workerConnection, redis: workerRedis, prefix, resolvePool: clusterPoolResolver(admin), log };
    let workers: WorkerHost = startWorkers(workerOptions);
    cleanups.unshift(async () => {
      await workers.close(true);
      workerRedis.disconnect();
      workerConnection.disconnect();
    });

    const path = (kind: Kind, name?: string) => `/apis/${API_VERSION}/namespaces/${namespace}/${PLURALS[kind]}${name === undefined ? '' : `/${name}`}`;
    const operators: Operator[] = [];
    cleanups.unshift(async () => {
      for (const operator of operators) await operator.stop();
    });

    await client.request('POST', `/api/v1/namespaces/${namespace}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'xapi-credentials' },
      stringData: { username: testbed.xapi.username, password: testbed.xapi.password },
    });
    await client.request('POST', path('XenPool'), {
      apiVersion: API_VERSION,
      kind: 'XenPool',
      metadata: { name: 'pool' },
      spec: { url: testbed.xapi.url, credentialsSecretRef: { name: 'xapi-credentials' } },
    });

    const harness: ClusterHarness = {
      plane,
      namespace,
      testbed,
      redis,
      prefix,
      log,
      migrations,
      admin,
      async startController(overrides = {}) {
        const operator = await startOperator({
          // Its own KubeConfig, so its own connections: stopping one controller closes only its own.
          kubeConfig: plane.kubeConfig(),
          redisUrl: redis.url,
          prefix,
          namespaces: [namespace],
          log,
          resultsDir: join(redis.dataDir, 'results'),
          leadMs: 1000,
          pollMs: 200,
          finalizerTimeoutMs: 30_000,
          referenceRecheckMs: 2_000,
          poolRecheckMs: 5_000,
          ...overrides,
        });
        operators.push(operator);
        return operator;
      },
      async stopWorkers() {
        await workers.close(true);
      },
      async restartWorkers(identity) {
        await workers.close(true);
        workers = startWorkers(identity ? { ...workerOptions, resolvePool: clusterPoolResolver(identity) } : workerOptions);
      },
      create: (kind, body) => client.request<Json>('POST', path(kind), { apiVersion: API_VERSION, kind, ...body }),
      async get(kind, name) {
        try {
          return await client.request<Json>('GET', path(kind, name));
        } catch (error) {
          if (error instanceof KubeApiError && error.status === 404) return undefined;
          throw error;
        }
      },
      list: async (kind) => (await client.request<{ items?: Json[] }>('GET', path(kind))).items ?? [],
      patch: (kind, name, patch) => client.request<Json>('PATCH', path(kind, name), patch, MERGE_PATCH),
      async remove(kind, name) {
        await client.request('DELETE', path(kind, name));
      },
      async events(name) {
        const list = await client.request<{ items: { type: string; reason: string; note?: string; regarding?: { name?: string }; eventTime?: string }[] }>(
          'GET',
          `/apis/events.k8s.io/v1/namespaces/${namespace}/events`,
        );
        return list.items
          .filter((event) => event.regarding?.name === name)
          .sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)))
          .map((event) => `${event.type} ${event.reason}: ${event.note ?? ''}`);
      },
      async kubectlGet(kind, name) {
        const run = await runTool(kubeTools().kubectl, ['--kubeconfig', plane.adminKubeconfig, 'get', PLURALS[kind], name, '-n', namespace, '-o', 'wide']);
        if (run.code !== 0) throw new Error(`kubectl get ${PLURALS[kind]} ${name}: ${run.stderr}`);
        return columns(run.stdout);
      },
      async eventually(what, check, timeoutMs = 120_000) {
        const deadline = Date.now() + timeoutMs;
        let last: unknown;
        for (;;) {
          try {
            const value = await check();
            if (value !== undefined) return value;
          } catch (error) {
            last = error;
          }
          if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
          await sleep(250);
        }
      },
      async close() {
        for (const cleanup of cleanups) {
          try {
            await cleanup();
          } catch (error) {
            log.error({ err: error }, 'cleanup failed');
          }
        }
      },
    };
    return harness;
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch((failure: unknown) => log.error({ err: failure }, 'cleanup after a failed start failed'));
    throw error;
  }
}

/** The CRDs as the files say (raw JSON: client-node's typed models would drop keys), established. */
export async function applyCrds(client: KubeClient): Promise<void> {
  const files = readdirSync(join(root, 'crds')).filter((name) => name.endsWith('.yaml'));
  for (const file of files) {
    const crd = parse(readFileSync(join(root, 'crds', file), 'utf8')) as { metadata: { name: string } };
    await client.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  }
  for (const file of files) {
    const name = (parse(readFileSync(join(root, 'crds', file), 'utf8')) as { metadata: { name: string } }).metadata.name;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const read = await client.request<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
      if (read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not established within 60 s`);
      await sleep(200);
    }
  }
}

/** kubectl's table (header + one row) as column -> cell; the header's positions cut the row. */
function columns(table: string): Record<string, string> {
  const [header = '', row = ''] = table.split('\n');
  const starts = [...header.matchAll(/(\S+(?: \S+)*)/g)].map((match) => ({ name: match[1] ?? '', at: match.index }));
  return Object.fromEntries(starts.map((column, i) => [column.name, row.slice(column.at, starts[i + 1]?.at ?? row.length).trim()]));
}

/**
 * `bin/migrascope worker` or `controller` as its own process beside the harness: the harness's
 * Redis and prefix, metrics on a free loopback port (logged at start), the admin kubeconfig unless
 * `kubeconfig` is given; `args` adds the command's own flags.
 */
export function startMigrascope(harness: ClusterHarness, command: 'worker' | 'controller', options: { kubeconfig?: string; args?: string[] } = {}): RunningProcess {
  return startProcess(join(import.meta.dirname, '..', '..', 'bin', 'migrascope'), [
    command,
    '--kubeconfig',
    options.kubeconfig ?? harness.plane.adminKubeconfig,
    '--redis',
    harness.redis.url,
    '--prefix',
    harness.prefix,
    '--metrics-port',
    '0',
    '--metrics-bind-address',
    '127.0.0.1',
    ...(options.args ?? []),
  ]);
}

/** A short experiment against the testbed's web VM (3 s ramp-up, `steady` of steady state, 2 s ramp-down). */
export function experimentManifest(harness: ClusterHarness, name: string, overrides: { steady?: string; migrations?: Json | null; poolRef?: string; spec?: Json } = {}): Json {
  const web = harness.testbed.vms.find((vm) => vm.name === 'web');
  if (!web?.url) throw new Error('the testbed has no web VM fronting the reference app');
  return {
    metadata: { name },
    spec: {
      poolRef: { name: overrides.poolRef ?? 'pool' },
      target: { vm: { nameLabel: 'web' }, applicationUrl: web.url, probeUrl: `${web.url}/healthz` },
      workload: { profile: 'olio', users: 20, drivers: 2, thinkTime: { mean: '500ms' }, rampUp: '3s', steadyState: overrides.steady ?? '12s', rampDown: '2s' },
      sla: { window: '4s', step: '1s' },
      ...(overrides.migrations === null ? {} : { migrations: overrides.migrations ?? { offsets: ['4s'], destination: { policy: 'roundRobin' }, timeout: '1m' } }),
      pauseBetweenRuns: '1s',
      ...overrides.spec,
    },
  };
}

/** Reads a nested field: at(object, 'status', 'summary', 'migrations'). */
export function at(object: unknown, ...path: (string | number)[]): unknown {
  let node = object;
  for (const key of path) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

/** The condition of `type` of an object's status. */
export function condition(object: Json | undefined, type: string): { status: string; reason: string; message: string; observedGeneration?: number } | undefined {
  const list = (at(object, 'status', 'conditions') ?? []) as { type: string; status: string; reason: string; message: string; observedGeneration?: number }[];
  return list.find((c) => c.type === type);
}
