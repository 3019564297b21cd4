// The controller runtime (src/controller/runtime) against a real kube-apiserver: informers that
// follow ConfigMaps through an API server crash, a too-old resourceVersion and a silent watch;
// a controller that reconciles each key one at a time with retries; status merge patches with
// optimistic concurrency on a MigrationExperiment from the shipped CRDs; server-side apply;
// finalizers; Events; leader election between two electors on a real Lease, including a leader
// cut off from the API server (a real TCP relay that stops forwarding).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { experiment } from '../../src/api/testing/cases.ts';
import { GROUP, VERSION } from '../../src/api/index.ts';
import {
  Controller,
  EventRecorder,
  Informer,
  KubeApiError,
  KubeClient,
  LeaderElector,
  addFinalizer,
  applyObject,
  patchObject,
  patchStatus,
  removeFinalizer,
  updateStatusWithRetry,
  type KubernetesObjectWithMeta,
  type ObjectKey,
} from '../../src/controller/runtime/index.ts';
import { createLogger, type Logger } from '../../src/log/index.ts';
import { startControlPlane, type ControlPlane } from '../controlplane/index.ts';
import { kubeConfigFor } from '../controlplane/kubeconfig.ts';

const root = join(import.meta.dirname, '..', '..');
const namespace = `runtime-${randomBytes(4).toString('hex')}`;
const quiet = createLogger({ level: 'silent', pretty: false });

let plane: ControlPlane;
let kc: KubeConfig;
let client: KubeClient;
const relays: TcpRelay[] = [];
/** Stopped after all tests, also those that failed half-way. */
const informers: Informer<KubernetesObjectWithMeta>[] = [];

beforeAll(async () => {
  plane = await startControlPlane({
    users: [{ name: 'no-rights' }],
    // Secrets are watched straight from etcd (no watch cache) and etcd is compacted every second,
    // so that a watch resumed after a disconnection meets 410 Gone, as after a long outage.
    apiserverArgs: ['--watch-cache-sizes=secrets#0', '--etcd-compaction-interval=1s'],
  });
  kc = plane.kubeConfig();
  client = KubeClient.for(kc);
  await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  // The CRDs as they ship, sent as JSON like kubectl does (client-node's typed
  // createCustomResourceDefinition would drop their default, enum and x-kubernetes-* keys).
  for (const file of readdirSync(join(root, 'crds')).filter((name) => name.endsWith('.yaml'))) {
    const crd = parse(readFileSync(join(root, 'crds', file), 'utf8')) as { metadata: { name: string } };
    await client.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    await eventually(
      () => client.request<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`),
      (read) => read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false,
      `${file} established`,
    );
  }
});

afterAll(async () => {
  for (const informer of informers) informer.stop();
  for (const relay of relays) relay.close();
  await client?.close();
  await plane?.stop();
});

/** Polls until `accept` holds (the API server and informers work asynchronously). */
async function eventually<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch {
      // not there yet (a 404 while a CRD becomes served); try again
    }
    await sleep(100);
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms; last seen: ${JSON.stringify(last)?.slice(0, 500)}`);
}

/** A logger whose lines the test can read, to check which path the code took. */
function capturingLogger(): { log: Logger; messages: () => string[] } {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', pretty: false, destination: { write: (line: string) => void lines.push(line) } });
  return { log, messages: () => lines.map((line) => (JSON.parse(line) as { msg: string }).msg) };
}

const configMaps = `/api/v1/namespaces/${namespace}/configmaps`;
const secrets = `/api/v1/namespaces/${namespace}/secrets`;

/** The test's value of an object ("v"), kept in an annotation so ConfigMaps and Secrets alike carry it. */
const valueOf = (object: KubernetesObjectWithMeta | undefined): string | undefined => object?.metadata?.annotations?.v;

async function createObject(name: string, label: string, v: string, collection = configMaps): Promise<void> {
  const kind = collection === secrets ? 'Secret' : 'ConfigMap';
  await client.request('POST', collection, { apiVersion: 'v1', kind, metadata: { name, labels: { suite: label }, annotations: { v } } });
}

async function updateObject(name: string, v: string, collection = configMaps): Promise<void> {
  await client.request('PATCH', `${collection}/${name}`, { metadata: { annotations: { v } } }, 'application/merge-patch+json');
}

async function deleteObject(name: string, collection = configMaps): Promise<void> {
  await client.request('DELETE', `${collection}/${name}`);
}

/** name -> resourceVersion, from the API server itself. */
async function freshList(label: string, collection = configMaps): Promise<Record<string, string | undefined>> {
  const list = await client.request<{ items: KubernetesObjectWithMeta[] }>('GET', collection, undefined, undefined, { query: { labelSelector: `suite=${label}` } });
  return byName(list.items);
}

function cached(informer: Informer<KubernetesObjectWithMeta>): Record<string, string | undefined> {
  return byName(informer.list());
}

/** name -> resourceVersion, sorted by name so that two of them compare as JSON. */
function byName(objects: KubernetesObjectWithMeta[]): Record<string, string | undefined> {
  const pairs = objects.map((item) => [item.metadata?.name ?? '', item.metadata?.resourceVersion] as const);
  return Object.fromEntries(pairs.sort(([a], [b]) => a.localeCompare(b)));
}

function testInformer(
  label: string,
  options: { log?: Logger; kubeConfig?: KubeConfig; watchdogMs?: number; resyncMs?: number; collection?: string } = {},
): { informer: Informer<KubernetesObjectWithMeta>; events: string[] } {
  const informer = new Informer<KubernetesObjectWithMeta>({
    kubeConfig: options.kubeConfig ?? kc,
    path: options.collection ?? configMaps,
    labelSelector: `suite=${label}`,
    log: options.log ?? quiet,
    watchdogMs: options.watchdogMs,
    resyncMs: options.resyncMs,
  });
  informers.push(informer);
  const events: string[] = [];
  for (const event of ['add', 'update', 'delete'] as const) {
    informer.on(event, (object) => events.push(`${event} ${object.metadata?.name} ${valueOf(object)}`));
  }
  return { informer, events };
}

/** Whether a watch from `resourceVersion` is refused as too old (410 Gone): compacted away. */
async function watchIsGone(collection: string, resourceVersion: string): Promise<boolean> {
  const stop = new AbortController();
  try {
    const events = await client.watch<{ code?: number }>(collection, { resourceVersion }, stop.signal);
    const first = await Promise.race([events.next(), sleep(1_000).then(() => undefined)]);
    return first?.value?.type === 'ERROR' && first.value.object.code === 410;
  } catch (error) {
    return error instanceof KubeApiError && error.status === 410;
  } finally {
    stop.abort();
  }
}

/**
 * A TCP relay to the API server that can stop forwarding without closing anything: what a
 * connection through a dead NAT entry or a vanished node looks like to a client.
 */
class TcpRelay {
  readonly url: string;
  readonly #server: Server;
  readonly #pairs = new Set<{ client: Socket; upstream?: Socket }>();
  #blackhole = false;

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.url = `https://127.0.0.1:${port}`;
  }

  static async start(target: string): Promise<TcpRelay> {
    const { port: targetPort } = new URL(target);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const relay = new TcpRelay(server, typeof address === 'object' && address ? address.port : 0);
    server.on('connection', (socket) => relay.#relay(socket, Number(targetPort)));
    relays.push(relay);
    return relay;
  }

  /** Connections open now stop passing bytes either way (and stay open); new ones work. */
  freezeExisting(): void {
    for (const pair of this.#pairs) {
      pair.client.pause();
      pair.upstream?.pause();
      pair.client.removeAllListeners('data');
      pair.upstream?.removeAllListeners('data');
    }
  }

  /** While on, every connection, open or new, passes nothing: the API server is unreachable. */
  blackhole(on: boolean): void {
    this.#blackhole = on;
    if (on) this.freezeExisting();
  }

  close(): void {
    for (const pair of this.#pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    this.#server.close();
  }

  #relay(client: Socket, port: number): void {
    const pair: { client: Socket; upstream?: Socket } = { client };
    this.#pairs.add(pair);
    const forget = (): void => {
      client.destroy();
      pair.upstream?.destroy();
      this.#pairs.delete(pair);
    };
    client.on('error', forget).on('close', forget);
    if (this.#blackhole) {
      client.pause();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port });
    pair.upstream = upstream;
    upstream.on('error', forget).on('close', forget);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => client.write(chunk));
  }
}

async function relayedKubeConfig(): Promise<{ relay: TcpRelay; kubeConfig: KubeConfig }> {
  const relay = await TcpRelay.start(plane.url);
  return { relay, kubeConfig: kubeConfigFor(relay.url, plane.caFile, 'migrascope-admin', plane.adminToken) };
}

describe('Given an informer on ConfigMaps', () => {
  describe('When it starts with objects there and they are then added, updated and deleted', () => {
    it('Then start() resolves with the cache synced, and every change arrives as add, update or delete', async () => {
      const label = 'follow';
      await createObject('before', label, '1');
      const { informer, events } = testInformer(label);
      await informer.start();
      expect(informer.hasSynced).toBe(true);
      expect(valueOf(informer.get(namespace, 'before'))).toBe('1');
      expect(informer.get(namespace, 'before')?.kind).toBe('ConfigMap'); // filled in from the list

      await createObject('after', label, '1');
      await updateObject('before', '2');
      await deleteObject('after');
      await eventually(() => events, (seen) => seen.includes('delete after 1'), 'the delete event');
      expect(events).toEqual(['add before 1', 'add after 1', 'update before 2', 'delete after 1']);
      expect(cached(informer)).toEqual(await freshList(label));
      informer.stop();
      await informer.finished();
    });
  });

  describe('When kube-apiserver crashes mid-watch and comes back', () => {
    it('Then the informer resumes its watch and loses nothing', async () => {
      const label = 'restart';
      const capture = capturingLogger();
      await createObject('kept', label, '1');
      await createObject('doomed', label, '1');
      const { informer, events } = testInformer(label, { log: capture.log });
      await informer.start();

      await plane.restart({ crash: true, downMs: 1_000 });
      await createObject('new', label, '1');
      await updateObject('kept', '2');
      await deleteObject('doomed');

      await eventually(
        async () => [cached(informer), await freshList(label)] as const,
        ([cache, fresh]) => JSON.stringify(cache) === JSON.stringify(fresh),
        'the cache matching a fresh list',
      );
      expect(valueOf(informer.get(namespace, 'kept'))).toBe('2');
      expect(informer.get(namespace, 'doomed')).toBeUndefined();
      expect(events).toContain('delete doomed 1');
      expect(capture.messages()).toContain('watch failed: resuming');
      informer.stop();
      await informer.finished();
    });
  });

  describe('When etcd compacts past its resourceVersion while it is cut off from the API server', () => {
    it('Then the resumed watch meets 410 Gone, the informer relists, and the changes it missed arrive', async () => {
      const label = 'gone';
      const capture = capturingLogger();
      const { relay, kubeConfig } = await relayedKubeConfig();
      await createObject('kept', label, '1', secrets);
      await createObject('doomed', label, '1', secrets);
      const { informer, events } = testInformer(label, { log: capture.log, kubeConfig, watchdogMs: 1_000, collection: secrets });
      await informer.start();
      await createObject('seen', label, '1', secrets);
      await eventually(() => events, (seen) => seen.includes('add seen 1'), 'the add before the cut');
      const lastSeen = informer.get(namespace, 'seen')?.metadata?.resourceVersion as string;

      relay.blackhole(true);
      await createObject('new', label, '1', secrets);
      await updateObject('kept', '2', secrets);
      await deleteObject('doomed', secrets);
      await eventually(() => watchIsGone(secrets, lastSeen), (gone) => gone, 'etcd compacting past what the informer saw');
      relay.blackhole(false);

      await eventually(
        async () => [cached(informer), await freshList(label, secrets)] as const,
        ([cache, fresh]) => JSON.stringify(cache) === JSON.stringify(fresh),
        'the cache matching a fresh list',
      );
      expect(capture.messages()).toContain('resourceVersion too old (410 Gone): relisting');
      expect(events.slice(3).sort()).toEqual(['add new 1', 'delete doomed 1', 'update kept 2', 'update seen 1']);
      informer.stop();
      await informer.finished();
      await KubeClient.for(kubeConfig).close();
    });
  });

  describe('When its watch goes silent (the connection stays open but nothing arrives)', () => {
    it('Then the watchdog restarts the watch and later changes arrive', async () => {
      const label = 'silent';
      const capture = capturingLogger();
      const { relay, kubeConfig } = await relayedKubeConfig();
      const { informer, events } = testInformer(label, { log: capture.log, kubeConfig, watchdogMs: 2_000 });
      await informer.start();
      await createObject('first', label, '1');
      await eventually(() => events, (seen) => seen.includes('add first 1'), 'the first add');

      relay.freezeExisting();
      await createObject('second', label, '1');
      await eventually(() => events, (seen) => seen.includes('add second 1'), 'the add after the watch went silent');
      expect(capture.messages()).toContain('watch silent (no event, no bookmark): restarting it');
      expect(cached(informer)).toEqual(await freshList(label));
      informer.stop();
      await informer.finished();
      await KubeClient.for(kubeConfig).close();
    });
  });

  describe('When a relist is due (resyncMs)', () => {
    it('Then every cached object is emitted again as an update, unchanged', async () => {
      const label = 'resync';
      await createObject('steady', label, '1');
      const { informer, events } = testInformer(label, { resyncMs: 1_000 });
      await informer.start();
      await eventually(() => events, (seen) => seen.filter((e) => e === 'update steady 1').length >= 2, 'two resync updates');
      expect(events[0]).toBe('add steady 1');
      informer.stop();
      await informer.finished();
    });
  });
});

describe('Given a controller watching ConfigMaps with a reconciler that fails at first', () => {
  describe('When ConfigMaps are created and updated quickly', () => {
    it('Then each key is reconciled one at a time, failures are retried, and the last reconcile sees the last state', async () => {
      const label = 'controller';
      const { informer } = testInformer(label);
      const running = new Map<string, number>();
      const calls = new Map<string, number>();
      let overlap = false;
      const lastSeen = new Map<string, string | undefined>();
      const reconciler = {
        async reconcile(key: ObjectKey): Promise<void> {
          const id = key.name;
          if ((running.get(id) ?? 0) > 0) overlap = true;
          running.set(id, (running.get(id) ?? 0) + 1);
          calls.set(id, (calls.get(id) ?? 0) + 1);
          try {
            await sleep(20);
            lastSeen.set(id, valueOf(informer.get(key.namespace, key.name)));
            if (id === 'flaky' && (calls.get(id) ?? 0) <= 2) throw new Error('not yet');
          } finally {
            running.set(id, (running.get(id) ?? 1) - 1);
          }
        },
      };
      const controller = new Controller({ name: 'configmaps', reconciler, workers: 3, log: quiet, baseDelayMs: 10 });
      controller.watch(informer);
      const stop = new AbortController();
      const started = controller.start(stop.signal);

      await createObject('flaky', label, '0');
      for (const name of ['a', 'b']) await createObject(name, label, '0');
      for (let v = 1; v <= 5; v++) for (const name of ['a', 'b']) await updateObject(name, String(v));

      await eventually(
        () => [...lastSeen.entries()].sort(),
        (seen) => JSON.stringify(seen) === JSON.stringify([['a', '5'], ['b', '5'], ['flaky', '0']]) && (calls.get('flaky') ?? 0) >= 3,
        'the last state reconciled',
      );
      stop.abort();
      await started;
      expect(overlap).toBe(false);
      expect(calls.get('flaky')).toBe(3);

      // Stopped, the controller no longer listens; the informer (not its to stop) still follows.
      const callsWhenStopped = [...calls.values()].reduce((a, b) => a + b, 0);
      const events: string[] = [];
      informer.on('update', (object) => events.push(`${object.metadata?.name} ${valueOf(object)}`));
      await updateObject('a', '6');
      await eventually(() => events, (seen) => seen.includes('a 6'), 'the informer seeing the update after the controller stopped');
      expect([...calls.values()].reduce((a, b) => a + b, 0)).toBe(callsWhenStopped);
    });
  });
});

describe('Given a MigrationExperiment from the shipped CRDs', () => {
  const target = { group: GROUP, version: VERSION, plural: 'migrationexperiments', namespace, name: 'status-writes' };
  const path = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/migrationexperiments`;
  type Experiment = { metadata: { resourceVersion: string; generation: number; finalizers?: string[] }; spec: { workload: { users: number } }; status?: Record<string, unknown> };

  beforeAll(async () => {
    const body = { ...experiment('status-writes'), metadata: { name: 'status-writes', namespace } };
    await eventually(() => client.request('POST', path, body), () => true, 'the MigrationExperiment resource being served');
  });

  describe('When its status is merge-patched', () => {
    it('Then the status subresource takes it, fields not sent are kept, and spec is untouched', async () => {
      await patchStatus(kc, target, { phase: 'Pending', observedGeneration: 1 });
      const written = (await patchStatus(kc, target, { currentRun: 1 })) as Experiment;
      expect(written.status).toMatchObject({ phase: 'Pending', observedGeneration: 1, currentRun: 1 });
      // A spec change sent to /status is ignored by the API server: status only.
      await patchStatus(kc, target, { phase: 'Preparing' });
      const read = await client.request<Experiment>('GET', `${path}/status-writes`);
      expect(read.spec.workload.users).toBe(600);
      expect(read.status?.phase).toBe('Preparing');
    });
  });

  describe('When the status is patched at a resourceVersion that is no longer current', () => {
    it('Then the API server refuses with 409 Conflict', async () => {
      const read = await client.request<Experiment>('GET', `${path}/status-writes`);
      await patchObject(kc, target, { metadata: { labels: { touched: 'yes' } } });
      const refused = await patchStatus(kc, target, { phase: 'RampUp' }, { resourceVersion: read.metadata.resourceVersion }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(KubeApiError);
      expect((refused as KubeApiError).status).toBe(409);
      expect((refused as KubeApiError).reason).toBe('Conflict');
    });
  });

  describe('When someone writes between our read and our status write (updateStatusWithRetry)', () => {
    it('Then the conflict is answered by reading again and recomputing, and the write lands', async () => {
      const seenVersions: string[] = [];
      const written = await updateStatusWithRetry<Experiment>(kc, target, (current) => {
        seenVersions.push(current.metadata.resourceVersion);
        if (seenVersions.length === 1) {
          // Another writer slips in between our read and our patch.
          return patchObject(kc, target, { metadata: { annotations: { race: 'won' } } }).then(() => ({ phase: 'SteadyState' }));
        }
        return { phase: 'SteadyState', observedGeneration: current.metadata.generation };
      });
      expect(seenVersions).toHaveLength(2);
      expect(seenVersions[0]).not.toBe(seenVersions[1]);
      expect(written.status).toMatchObject({ phase: 'SteadyState', observedGeneration: 1 });
    });
  });

  describe('When a finalizer is added twice and removed', () => {
    it('Then it is there once, then gone, and removing it from a deleted object is no error', async () => {
      await addFinalizer(kc, target, 'migrascope.io/cleanup');
      await addFinalizer(kc, target, 'migrascope.io/cleanup');
      await addFinalizer(kc, target, 'example.com/other');
      let read = await client.request<Experiment>('GET', `${path}/status-writes`);
      expect(read.metadata.finalizers).toEqual(['migrascope.io/cleanup', 'example.com/other']);

      await removeFinalizer(kc, target, 'migrascope.io/cleanup');
      read = await client.request<Experiment>('GET', `${path}/status-writes`);
      expect(read.metadata.finalizers).toEqual(['example.com/other']);
      await removeFinalizer(kc, target, 'example.com/other');
      await removeFinalizer(kc, { ...target, name: 'never-existed' }, 'migrascope.io/cleanup');
    });
  });

  describe('When a finalizer is added from a stale copy of the object (the cache behind another writer)', () => {
    it('Then the write at its resourceVersion is refused, the list read again, and the other writer’s finalizer kept', async () => {
      const stale = await client.request<Experiment & KubernetesObjectWithMeta>('GET', `${path}/status-writes`);
      await patchObject(kc, target, { metadata: { finalizers: ['example.com/meanwhile'] } });
      await addFinalizer(kc, target, 'migrascope.io/cleanup', stale);
      const read = await client.request<Experiment>('GET', `${path}/status-writes`);
      expect(read.metadata.finalizers).toEqual(['example.com/meanwhile', 'migrascope.io/cleanup']);
      // From a current copy it is one PATCH, no GET, and a no-op when it is there already.
      await addFinalizer(kc, target, 'migrascope.io/cleanup', read as Experiment & KubernetesObjectWithMeta);
      expect((await client.request<Experiment>('GET', `${path}/status-writes`)).metadata.finalizers).toEqual(['example.com/meanwhile', 'migrascope.io/cleanup']);
      await patchObject(kc, target, { metadata: { finalizers: null } });
    });
  });
});

describe('Given server-side apply of a ConfigMap', () => {
  const desired = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace }, data });

  describe('When the controller applies it with its field manager', () => {
    it('Then it is created, owned by that manager, and a second apply changes only what changed', async () => {
      await applyObject(kc, desired({ users: '100' }), 'migrascope-test');
      const applied = (await applyObject(kc, desired({ users: '200' }), 'migrascope-test')) as {
        data: Record<string, string>;
        metadata: { managedFields: { manager: string; operation: string }[] };
      };
      expect(applied.data).toEqual({ users: '200' });
      expect(applied.metadata.managedFields.map((f) => [f.manager, f.operation])).toEqual([['migrascope-test', 'Apply']]);
    });
  });

  describe('When another manager applies a field the controller owns', () => {
    it('Then it is refused with 409 unless forced, and forcing takes the field over', async () => {
      const refused = await applyObject(kc, desired({ users: '300' }), 'someone-else').catch((error: unknown) => error);
      expect((refused as KubeApiError).status).toBe(409);
      const forced = (await applyObject(kc, desired({ users: '300' }), 'someone-else', { force: true })) as { data: Record<string, string> };
      expect(forced.data).toEqual({ users: '300' });
    });
  });

  describe('When the kind is not served', () => {
    it('Then the error names the kind', async () => {
      await expect(applyObject(kc, { apiVersion: 'v1', kind: 'Gadget', metadata: { name: 'g', namespace } }, 'migrascope-test')).rejects.toThrow(/no kind Gadget in v1/);
    });
  });
});

describe('Given an EventRecorder', () => {
  const subject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name: 'event-subject', uid: 'u-1' } };
  type EventList = { items: { reason: string; note: string; type: string; action: string; reportingController: string; regarding: { name: string }; series?: { count: number } }[] };
  const events = () => client.request<EventList>('GET', `/apis/events.k8s.io/v1/namespaces/${namespace}/events`);

  describe('When it records an event, and the same again', () => {
    it('Then one Event regards the object, and the repeat counts in its series', async () => {
      const recorder = new EventRecorder(kc, 'migrascope.io/test', quiet);
      await recorder.record(subject, 'Warning', 'SlaViolated', 'p99 of HomePage 1.8 s > 1 s', 'Measure');
      let list = await events();
      expect(list.items.filter((e) => e.regarding.name === 'event-subject')).toEqual([
        expect.objectContaining({ reason: 'SlaViolated', note: 'p99 of HomePage 1.8 s > 1 s', type: 'Warning', action: 'Measure', reportingController: 'migrascope.io/test' }),
      ]);
      await recorder.record(subject, 'Warning', 'SlaViolated', 'p99 of HomePage 1.8 s > 1 s', 'Measure');
      list = await events();
      const mine = list.items.filter((e) => e.regarding.name === 'event-subject');
      expect(mine).toHaveLength(1);
      expect(mine[0]?.series?.count).toBe(2);
    });
  });

  describe('When it may not create Events', () => {
    it('Then record() resolves anyway and logs why', async () => {
      const capture = capturingLogger();
      const forbidden = new EventRecorder(plane.kubeConfigForToken(plane.tokenFor('no-rights')), 'migrascope.io/test', capture.log);
      await forbidden.record({ ...subject, metadata: { ...subject.metadata, name: 'forbidden-subject' } }, 'Normal', 'Started', 'run 1 started');
      expect(capture.messages()).toContain('could not record an Event');
      expect((await events()).items.some((e) => e.regarding.name === 'forbidden-subject')).toBe(false);
    });
  });
});

// Short but not tight: a loaded machine must not make a healthy leader miss its renew deadline.
describe('Given two leader electors on one Lease (lease 4 s, renew deadline 3 s, retry 0.5 s)', () => {
  const timing = { leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 };
  /** Start and stop of leading, by whom, in order: two leaders must never overlap. */
  const timeline: string[] = [];
  let leaseName = '';

  function elector(identity: string, kubeConfig = kc): { elector: LeaderElector; running: Promise<void>; leaders: string[]; signal: () => AbortSignal | undefined } {
    const instance = new LeaderElector({ kubeConfig, namespace, name: leaseName, identity, log: quiet, ...timing });
    const leaders: string[] = [];
    let signal: AbortSignal | undefined;
    const running = instance.run({
      onStartedLeading(leading) {
        signal = leading;
        timeline.push(`start ${identity}`);
      },
      onStoppedLeading() {
        timeline.push(`stop ${identity}`);
      },
      onNewLeader(leader) {
        leaders.push(leader);
      },
    });
    return { elector: instance, running, leaders, signal: () => signal };
  }

  type Lease = { metadata: Record<string, unknown>; spec: { holderIdentity?: string; leaseTransitions?: number; leaseDurationSeconds?: number } };
  const lease = () => client.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${leaseName}`);

  function neverTwoLeaders(): boolean {
    let leading = 0;
    for (const entry of timeline) {
      leading += entry.startsWith('start') ? 1 : -1;
      if (leading > 1) return false;
    }
    return true;
  }

  let counter = 0;
  /** Each scenario gets its own Lease and timeline. */
  const fresh = (): void => {
    counter += 1;
    leaseName = `leader-${counter}`;
    timeline.length = 0;
  };

  describe('When both run and then the leader releases', () => {
    it('Then exactly one leads, and the other takes over after the release', async () => {
      fresh();
      const a = elector('a');
      await eventually(() => a.elector.isLeader, (leading) => leading, 'a leading');
      const b = elector('b');
      await eventually(() => b.leaders, (leaders) => leaders.includes('a'), 'b seeing a lead');
      await sleep(3 * timing.leaseDurationMs); // a keeps renewing: b must not take over
      expect(b.elector.isLeader).toBe(false);
      expect((await lease()).spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 4, leaseTransitions: 0 });

      await a.elector.release();
      expect(a.signal()?.aborted).toBe(true);
      await eventually(() => b.elector.isLeader, (leading) => leading, 'b leading after the release');
      expect((await lease()).spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
      expect(timeline.slice(0, 3)).toEqual(['start a', 'stop a', 'start b']);
      await b.elector.release();
      expect(neverTwoLeaders()).toBe(true);
    });
  });

  describe('When the leader is cut off from the API server and stops renewing', () => {
    it('Then it stops leading on its own, and the other takes over once the lease expires', async () => {
      fresh();
      const { relay, kubeConfig } = await relayedKubeConfig();
      const a = elector('a', kubeConfig);
      await eventually(() => a.elector.isLeader, (leading) => leading, 'a leading');
      const b = elector('b');
      await eventually(() => b.leaders, (leaders) => leaders.includes('a'), 'b seeing a lead');

      relay.blackhole(true);
      await a.running; // run() ends when leadership is lost
      expect(a.signal()?.aborted).toBe(true);
      await eventually(() => b.elector.isLeader, (leading) => leading, 'b leading after a went silent');
      expect(timeline).toEqual(['start a', 'stop a', 'start b']);
      expect((await lease()).spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
      await b.elector.release();
      await KubeClient.for(kubeConfig).close();
    });
  });

  describe('When someone else takes the Lease from the leader', () => {
    it('Then the leader stops leading, and the follower waits for the new holder', async () => {
      fresh();
      const a = elector('a');
      await eventually(() => a.elector.isLeader, (leading) => leading, 'a leading');
      const b = elector('b');
      await eventually(() => b.leaders, (leaders) => leaders.includes('a'), 'b seeing a lead');

      // The thief writes as a candidate would: at the version read, again after a 409 (the
      // leader renews every 500 ms, so the race is real).
      await eventually(
        async () => {
          const current = await lease();
          await client.request('PUT', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${leaseName}`, {
            ...current,
            spec: { ...current.spec, holderIdentity: 'thief', leaseDurationSeconds: 3600 },
          });
          return true;
        },
        (stolen) => stolen,
        'the thief writing the lease',
      );
      await a.running;
      expect(a.leaders).toContain('thief');
      await eventually(() => b.leaders, (leaders) => leaders.includes('thief'), 'b seeing the thief');
      expect(b.elector.isLeader).toBe(false);
      expect(timeline).toEqual(['start a', 'stop a']);
      await b.elector.release();
    });
  });
});
