// The controller holding a lab's whole history: N MigrationExperiments (1,000) on a real
// kube-apiserver + etcd (test/controlplane), reconciled by `migrascope controller` as its own
// process (bin/migrascope, default flags: 4 experiment workers, 30 s recheck of a missing pool).
//
// The experiments name a XenPool that does not exist. Each is then reconciled for real but
// cheaply: read from the informer's cache, its pool looked up and not found, its status written
// (Pending, Degraded/Stalled PoolNotFound with the generation), a Warning Event posted, and a
// recheck in 30 s. That is every API write an experiment costs before it runs, and no load, no
// Redis, no XAPI: what is measured is the controller's own machinery (informers, work queue,
// status writes), which is what 1,000 mostly idle objects cost it.
//
// Measured:
// - event-to-reconcile latency: from this process sending the create (or the spec update) to
//   it seeing, through its own watch, the status the reconcile wrote for that generation; so it
//   includes the reconcile and its status write. Two regimes: a burst (all N created at once,
//   16 requests in flight) where an object waits behind the others, and paced spec updates (10/s)
//   with the N objects held. Beside it the controller's own histograms: time in the work queue
//   (workqueue_queue_duration_seconds) and reconcile duration (controller_runtime_reconcile_time_seconds).
// - controller memory per object: V8 heap used after a full garbage collection (through the
//   controller's inspector) and the resident set, with the N objects held, minus the same before
//   any existed.
// - list/watch load on the API server: kube-apiserver's apiserver_request_total by verb and
//   resource over each phase (this process's own requests are named and left out), and the
//   watches the controller holds open (apiserver_longrunning_requests, opened since it started).
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_VERSION } from '../src/api/v1alpha1/index.ts';
import { Informer, KubeClient, MERGE_PATCH, type KubernetesObjectWithMeta } from '../src/controller/runtime/index.ts';
import { createLogger } from '../src/log/index.ts';
import { startLocalRedis } from '../src/queue/local-redis.ts';
import { startControlPlane, type ControlPlane } from '../test/controlplane/index.ts';
import { applyCrds } from '../test/e2e/controller-cluster.ts';
import { start, stop } from './children.ts';
import { deltaBy, histogramQuantile, parseSamples, sumOf, type Sample } from './prometheus-text.ts';

export interface ControllerScaleSettings {
  objects: number;
  /** Spec updates sent one by one, 10 a second, once the objects are held. */
  updates: number;
  /** The quiet window after the updates: the controller's steady load with the objects held. */
  idleSeconds: number;
}

export interface Latency {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ControllerScaleFigures {
  objects: number;
  /** Create to status seen (all at once); queue wait and reconcile time from the controller's histograms. */
  burst: { latency: Latency; wallSeconds: number; queueP50Ms?: number; queueP99Ms?: number; reconcileP50Ms?: number; reconcileP99Ms?: number };
  /** Spec update to status of that generation seen, one at a time with the objects held. */
  paced: { latency: Latency; queueP50Ms?: number; queueP99Ms?: number; reconcileP50Ms?: number; reconcileP99Ms?: number };
  memory: { before: Memory; after: Memory; rssPerObjectKiB: number; heapPerObjectKiB: number };
  /** API server requests by "VERB resource[/subresource]" per phase, this process's own taken out. */
  requests: { burst: Record<string, number>; paced: Record<string, number>; idlePerSecond: Record<string, number> };
  /** Watches the controller holds open, by resource (opened since it started, this process's one left out). */
  watches: Record<string, number>;
  reconciles: { burst: number; idle: number };
  idleSeconds: number;
}

interface Memory {
  rssMiB: number;
  heapUsedMiB: number;
}

type Experiment = KubernetesObjectWithMeta & { status?: { conditions?: { type: string; reason?: string; observedGeneration?: number }[] } };

const ROOT = join(import.meta.dirname, '..');
const IN_FLIGHT = 16;

export async function measureControllerScale(settings: ControllerScaleSettings, log: (line: string) => void): Promise<ControllerScaleFigures> {
  const plane = await startControlPlane();
  const stops: (() => Promise<void>)[] = [() => plane.stop()];
  try {
    const client = KubeClient.for(plane.kubeConfig());
    await applyCrds(client);
    const namespace = `bench-${randomBytes(3).toString('hex')}`;
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const redis = await startLocalRedis();
    stops.unshift(() => redis.stop());
    const apiserver = async (): Promise<Sample[]> => parseSamples(await apiserverMetrics(plane));
    const beforeController = await apiserver();
    const controller = await startController(plane, redis.url, namespace);
    stops.unshift(() => stop(controller.child));
    const scrape = async (): Promise<Sample[]> => parseSamples(await (await fetch(`${controller.metricsUrl}/metrics`)).text());

    // This process's view: when it sent a write, and when it first saw the status that write's generation got.
    const collection = `/apis/${API_VERSION}/namespaces/${namespace}/migrationexperiments`;
    const informer = new Informer<Experiment>({ kubeConfig: plane.kubeConfig(), path: collection, log: createLogger({ level: 'silent' }) });
    const waiting = new Map<string, { generation: number; sentAt: number }>();
    const latencies: number[] = [];
    let allSeen: (() => void) | undefined;
    const look = (object: Experiment): void => {
      const name = object.metadata?.name ?? '';
      const expected = waiting.get(name);
      const degraded = object.status?.conditions?.find((c) => c.type === 'Degraded');
      if (!expected || degraded?.reason !== 'PoolNotFound' || degraded.observedGeneration !== expected.generation) return;
      latencies.push(performance.now() - expected.sentAt);
      waiting.delete(name);
      if (waiting.size === 0) allSeen?.();
    };
    informer.on('add', look);
    informer.on('update', look);
    await informer.start();
    stops.unshift(async () => informer.stop());
    const seenAll = (what: string, timeoutMs: number): Promise<void> =>
      new Promise((resolve, reject) => {
        if (waiting.size === 0) return resolve();
        const timer = setTimeout(() => reject(new Error(`${what}: ${waiting.size} objects not reconciled within ${timeoutMs / 1000} s`)), timeoutMs);
        allSeen = () => {
          clearTimeout(timer);
          resolve();
        };
      });

    await sleep(5000); // the controller's start-up settled
    const before = await memoryOf(controller);
    log(`controller before: RSS ${before.rssMiB.toFixed(1)} MiB, heap used ${before.heapUsedMiB.toFixed(1)} MiB`);

    // 1. The burst: all N created, IN_FLIGHT requests at a time.
    const names = Array.from({ length: settings.objects }, (_, i) => `exp-${String(i).padStart(4, '0')}`);
    const [controllerA, apiA] = [await scrape(), await apiserver()];
    const burstStarted = performance.now();
    await inParallel(names, IN_FLIGHT, async (name) => {
      waiting.set(name, { generation: 1, sentAt: performance.now() });
      await client.request('POST', collection, experiment(name));
    });
    await seenAll('the burst', 600_000);
    const burstWall = (performance.now() - burstStarted) / 1000;
    const burstLatency = summarize(latencies.splice(0));
    const [controllerB, apiB] = [await scrape(), await apiserver()];
    log(`burst: ${settings.objects} created and reconciled in ${burstWall.toFixed(1)} s`);

    await sleep(5000);
    const after = await memoryOf(controller);

    // 2. Paced spec updates (generation 2), 10 a second, the N objects held.
    const updated = names.filter((_, i) => i % Math.max(1, Math.floor(settings.objects / settings.updates)) === 0).slice(0, settings.updates);
    for (const name of updated) {
      waiting.set(name, { generation: 2, sentAt: performance.now() });
      await client.request('PATCH', `${collection}/${name}`, { spec: { workload: { users: 21 } } }, MERGE_PATCH);
      await sleep(100);
    }
    await seenAll('the paced updates', 120_000);
    const pacedLatency = summarize(latencies.splice(0));
    const [controllerC, apiC] = [await scrape(), await apiserver()];

    // 3. Quiet: what holding N objects costs the API server per second (the 30 s rechecks).
    await sleep(settings.idleSeconds * 1000);
    const [controllerD, apiD] = [await scrape(), await apiserver()];

    const own = { burst: { 'POST migrationexperiments': settings.objects }, paced: { 'PATCH migrationexperiments': updated.length } };
    const requests = (a: Sample[], b: Sample[], mine: Record<string, number> = {}): Record<string, number> => {
      const delta = deltaBy(a, b, 'apiserver_request_total', ['verb', 'resource', 'subresource']);
      const table: Record<string, number> = {};
      for (const [key, count] of delta) {
        const [verb, resource, subresource] = key.split(' ');
        const label = `${verb} ${resource}${subresource ? `/${subresource}` : ''}`;
        const left = count - (mine[label] ?? 0);
        if (left > 0) table[label] = left;
      }
      return table;
    };
    const perSecond = Object.fromEntries(Object.entries(requests(apiC, apiD)).map(([key, count]) => [key, count / settings.idleSeconds]));
    const ms = (seconds: number | undefined): number | undefined => (seconds === undefined ? undefined : seconds * 1000);
    const histograms = (a: Sample[], b: Sample[]) => ({
      queueP50Ms: ms(histogramQuantile(0.5, a, b, 'workqueue_queue_duration_seconds', { name: 'migrationexperiment' })),
      queueP99Ms: ms(histogramQuantile(0.99, a, b, 'workqueue_queue_duration_seconds', { name: 'migrationexperiment' })),
      reconcileP50Ms: ms(histogramQuantile(0.5, a, b, 'controller_runtime_reconcile_time_seconds', { controller: 'migrationexperiment' })),
      reconcileP99Ms: ms(histogramQuantile(0.99, a, b, 'controller_runtime_reconcile_time_seconds', { controller: 'migrationexperiment' })),
    });
    const reconciles = (a: Sample[], b: Sample[]): number =>
      sumOf(b, 'controller_runtime_reconcile_total', { controller: 'migrationexperiment' }) - sumOf(a, 'controller_runtime_reconcile_total', { controller: 'migrationexperiment' });
    return {
      objects: settings.objects,
      burst: { latency: burstLatency, wallSeconds: burstWall, ...histograms(controllerA, controllerB) },
      paced: { latency: pacedLatency, ...histograms(controllerB, controllerC) },
      memory: {
        before,
        after,
        rssPerObjectKiB: ((after.rssMiB - before.rssMiB) * 1024) / settings.objects,
        heapPerObjectKiB: ((after.heapUsedMiB - before.heapUsedMiB) * 1024) / settings.objects,
      },
      requests: { burst: requests(apiA, apiB, own.burst), paced: requests(apiB, apiC, own.paced), idlePerSecond: perSecond },
      watches: watchesOpened(beforeController, apiD),
      reconciles: { burst: reconciles(controllerA, controllerB), idle: reconciles(controllerC, controllerD) },
      idleSeconds: settings.idleSeconds,
    };
  } finally {
    for (const stopOne of stops) await stopOne().catch(() => undefined);
  }
}

function watchesOpened(before: Sample[], after: Sample[]): Record<string, number> {
  const opened = Object.fromEntries(deltaBy(before, after, 'apiserver_longrunning_requests', ['resource'], { verb: 'WATCH' }));
  opened.migrationexperiments = (opened.migrationexperiments ?? 0) - 1; // this process's own informer
  return Object.fromEntries(Object.entries(opened).filter(([, count]) => count > 0));
}

/** An experiment that waits for a XenPool nobody made (see the top of this file). */
function experiment(name: string): object {
  return {
    apiVersion: API_VERSION,
    kind: 'MigrationExperiment',
    metadata: { name },
    spec: {
      poolRef: { name: 'absent' },
      target: { vm: { nameLabel: 'web' }, applicationUrl: 'http://127.0.0.1:9/' },
      workload: { profile: 'olio', users: 20, rampUp: '3s', steadyState: '12s', rampDown: '2s' },
      sla: { window: '4s', step: '1s' },
      migrations: { offsets: ['4s'] },
    },
  };
}

interface RunningController {
  child: ReturnType<typeof start>;
  metricsUrl: string;
  inspectorUrl: string;
}

/**
 * `migrascope controller` as deployed (default workers and rechecks), its /metrics on a free
 * loopback port, and its inspector open on another (for memoryOf's garbage collection).
 */
async function startController(plane: ControlPlane, redisUrl: string, namespace: string): Promise<RunningController> {
  const args = ['controller', '--kubeconfig', plane.adminKubeconfig, '--redis', redisUrl, '--prefix', 'bench', '--namespace', namespace, '--metrics-port', '0', '--metrics-bind-address', '127.0.0.1'];
  const env = { ...process.env, MIGRASCOPE_LOG_LEVEL: 'info', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`.trim() };
  const child = start(join(ROOT, 'bin', 'migrascope'), args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const metricsUrl = /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1];
    const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
    if (metricsUrl && inspectorUrl && output.includes('caches synced')) return { child, metricsUrl, inspectorUrl };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`migrascope controller did not start:\n${output.slice(-2000)}`);
    await sleep(200);
  }
}

/** kube-apiserver's /metrics as the admin (its serving CA; the static admin token). */
function apiserverMetrics(plane: ControlPlane): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = httpsRequest(`${plane.url}/metrics`, { ca: readFileSync(plane.caFile), headers: { authorization: `Bearer ${plane.adminToken}` } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`GET /metrics: ${response.statusCode} ${body.slice(0, 200)}`))));
    });
    call.on('error', reject);
    call.end();
  });
}

/**
 * The controller's memory with only what it holds: a full garbage collection asked through its
 * inspector (V8's HeapProfiler.collectGarbage), then the heap V8 counts as used (Runtime.getHeapUsage)
 * and the resident set from its /metrics. Without the collection, the burst's garbage would count.
 */
async function memoryOf(controller: RunningController): Promise<Memory> {
  const socket = new WebSocket(controller.inspectorUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot reach the controller's inspector at ${controller.inspectorUrl}`)), { once: true });
  });
  let id = 0;
  const call = (method: string): Promise<Record<string, number>> =>
    new Promise((resolve) => {
      const mine = ++id;
      const listener = (event: MessageEvent): void => {
        const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, number> };
        if (message.id !== mine) return;
        socket.removeEventListener('message', listener);
        resolve(message.result ?? {});
      };
      socket.addEventListener('message', listener);
      socket.send(JSON.stringify({ id: mine, method }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage'); // a second pass frees what the first only unlinked (weak refs, finalizers)
    const heap = await call('Runtime.getHeapUsage');
    const samples = parseSamples(await (await fetch(`${controller.metricsUrl}/metrics`)).text());
    return { rssMiB: sumOf(samples, 'process_resident_memory_bytes') / 2 ** 20, heapUsedMiB: (heap.usedSize ?? NaN) / 2 ** 20 };
  } finally {
    socket.close();
  }
}

async function inParallel<T>(items: T[], width: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await each(items[next++]!);
    }),
  );
}

function summarize(values: number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? NaN };
}
