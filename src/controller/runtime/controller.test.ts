import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../log/index.ts';
import { MigrascopeMetrics } from '../../metrics/index.ts';
import { Controller } from './controller.ts';
import { TerminalError, type ReconcileResult, type Reconciler } from './reconciler.ts';
import type { ObjectKey } from './object-key.ts';

const log = createLogger({ level: 'silent', pretty: false });

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 10 s`);
    await sleep(2);
  }
}

/** A reconciler whose behaviour per call is scripted, and which records what it saw. */
class ScriptedReconciler implements Reconciler {
  readonly calls: string[] = [];
  readonly running = new Map<string, number>();
  maxSameKey = 0;
  maxTotal = 0;
  readonly signals: AbortSignal[] = [];
  readonly #script: (key: string, call: number) => Promise<ReconcileResult | void>;

  constructor(script: (key: string, call: number) => Promise<ReconcileResult | void>) {
    this.#script = script;
  }

  async reconcile(key: ObjectKey, signal: AbortSignal): Promise<ReconcileResult | void> {
    const id = `${key.namespace}/${key.name}`;
    this.calls.push(id);
    this.signals.push(signal);
    this.running.set(id, (this.running.get(id) ?? 0) + 1);
    this.maxSameKey = Math.max(this.maxSameKey, this.running.get(id) ?? 0);
    this.maxTotal = Math.max(this.maxTotal, [...this.running.values()].reduce((a, b) => a + b, 0));
    try {
      return await this.#script(id, this.calls.filter((c) => c === id).length);
    } finally {
      this.running.set(id, (this.running.get(id) ?? 1) - 1);
    }
  }

  count(key: string): number {
    return this.calls.filter((c) => c === key).length;
  }
}

function controllerWith(reconciler: Reconciler, metrics?: MigrascopeMetrics): Controller {
  return new Controller({ name: 'test', reconciler, workers: 4, metrics, log, baseDelayMs: 1, maxDelayMs: 20 });
}

describe('Given a controller with 4 workers', () => {
  describe('When keys are enqueued again and again while they are being reconciled', () => {
    it('Then each key is reconciled by one worker at a time, different keys in parallel, and each again after its last enqueue', async () => {
      // One sequence for enqueues and reconcile starts: a reconcile must start after each key's last enqueue.
      let tick = 0;
      const lastStart = new Map<string, number>();
      const reconciler = new ScriptedReconciler(async (key) => {
        lastStart.set(key, (tick += 1));
        await sleep(5);
      });
      const controller = controllerWith(reconciler);
      const stop = new AbortController();
      const running = controller.start(stop.signal);
      const lastEnqueue = new Map<string, number>();
      for (let round = 0; round < 20; round++) {
        for (const name of ['a', 'b', 'c']) {
          controller.enqueue({ namespace: 'ns', name });
          lastEnqueue.set(`ns/${name}`, (tick += 1));
        }
        await sleep(1);
      }
      await until(
        () => [...lastEnqueue].every(([key, at]) => (lastStart.get(key) ?? 0) > at) && [...reconciler.running.values()].every((n) => n === 0),
        'a reconcile of each key after its last enqueue',
      );
      stop.abort();
      await running;

      expect(reconciler.maxSameKey).toBe(1);
      expect(reconciler.maxTotal).toBeGreaterThan(1);
      for (const key of ['ns/a', 'ns/b', 'ns/c']) expect(reconciler.count(key)).toBeGreaterThan(1);
      // De-duplication: far fewer reconciles than the 60 enqueues.
      expect(reconciler.calls.length).toBeLessThan(60);
    });
  });

  describe('When a reconcile fails twice and then succeeds', () => {
    it('Then the key is retried until it succeeds, and the results are counted', async () => {
      const metrics = new MigrascopeMetrics({ defaultMetrics: false });
      const reconciler = new ScriptedReconciler(async (_key, call) => {
        if (call <= 2) throw new Error(`failure ${call}`);
      });
      const controller = controllerWith(reconciler, metrics);
      const stop = new AbortController();
      const running = controller.start(stop.signal);
      controller.enqueue({ namespace: 'ns', name: 'flaky' });
      await until(() => reconciler.count('ns/flaky') === 3, 'the third reconcile');
      await sleep(50); // a wrongly scheduled retry would show up here
      stop.abort();
      await running;

      expect(reconciler.count('ns/flaky')).toBe(3);
      const text = await metrics.registry.metrics();
      expect(text).toContain('controller_runtime_reconcile_total{controller="test",result="error"} 2');
      expect(text).toContain('controller_runtime_reconcile_total{controller="test",result="success"} 1');
      expect(text).toContain('controller_runtime_reconcile_errors_total{controller="test"} 2');
      expect(text).toContain('controller_runtime_reconcile_time_seconds_count{controller="test"} 3');
      expect(text).toContain('controller_runtime_active_workers{controller="test"} 0');
    });
  });

  describe('When a reconcile throws a TerminalError', () => {
    it('Then it is not retried and counts as terminal', async () => {
      const metrics = new MigrascopeMetrics({ defaultMetrics: false });
      const reconciler = new ScriptedReconciler(async () => {
        throw new TerminalError('spec.pool names no XenPool');
      });
      const controller = controllerWith(reconciler, metrics);
      const stop = new AbortController();
      const running = controller.start(stop.signal);
      controller.enqueue({ namespace: 'ns', name: 'broken' });
      await until(() => reconciler.count('ns/broken') === 1, 'the reconcile');
      await sleep(100);
      stop.abort();
      await running;

      expect(reconciler.count('ns/broken')).toBe(1);
      expect(await metrics.registry.metrics()).toContain('controller_runtime_reconcile_total{controller="test",result="terminal"} 1');
    });
  });

  describe('When a reconcile asks to be requeued after a while', () => {
    it('Then the key is reconciled again without any event', async () => {
      const metrics = new MigrascopeMetrics({ defaultMetrics: false });
      const reconciler = new ScriptedReconciler(async (_key, call) => (call === 1 ? { requeueAfterMs: 30 } : undefined));
      const controller = controllerWith(reconciler, metrics);
      const stop = new AbortController();
      const running = controller.start(stop.signal);
      controller.enqueue({ namespace: 'ns', name: 'polled' });
      await until(() => reconciler.count('ns/polled') === 2, 'the requeued reconcile');
      stop.abort();
      await running;
      const text = await metrics.registry.metrics();
      expect(text).toContain('controller_runtime_reconcile_total{controller="test",result="requeue_after"} 1');
    });
  });

  describe('When the controller is stopped while a reconcile runs', () => {
    it('Then the reconcile sees its signal abort, start() waits for it, and queued keys are not reconciled', async () => {
      let finished = false;
      const reconciler = new ScriptedReconciler(async (key) => {
        if (key !== 'ns/slow') return;
        await sleep(100);
        finished = true;
      });
      const controller = new Controller({ name: 'test', reconciler, workers: 1, log });
      const stop = new AbortController();
      const running = controller.start(stop.signal);
      controller.enqueue({ namespace: 'ns', name: 'slow' });
      controller.enqueue({ namespace: 'ns', name: 'queued' });
      await until(() => reconciler.count('ns/slow') === 1, 'the slow reconcile');
      stop.abort();
      expect(reconciler.signals[0]?.aborted).toBe(true);
      await running;
      expect(finished).toBe(true);
      expect(reconciler.count('ns/queued')).toBe(0);
    });
  });
});
