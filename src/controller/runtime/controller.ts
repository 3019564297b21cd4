// A controller as controller-runtime builds one: informers feed keys into a work queue, N workers
// take keys and call the reconciler, and the outcome decides what happens to the key:
//   error          -> retried with the key's exponential backoff
//   success        -> backoff forgotten (and looked at again after requeueAfterMs if asked)
//   TerminalError  -> logged and forgotten: retrying cannot fix it
// The queue guarantees one reconcile per key at a time, however many workers run.
import type { Logger } from '../../log/index.ts';
import type { MigrascopeMetrics } from '../../metrics/index.ts';
import type { Informer } from './informer.ts';
import { formatKey, keyOf, parseKey, type KubernetesObjectWithMeta, type ObjectKey } from './object-key.ts';
import { TerminalError, type ReconcileResult, type Reconciler } from './reconciler.ts';
import { WorkQueue } from './work-queue.ts';

export interface ControllerOptions {
  name: string;
  reconciler: Reconciler;
  /** Keys reconciled in parallel (never the same key twice). Default 1. */
  workers?: number;
  metrics?: MigrascopeMetrics;
  log: Logger;
  /** Backoff of failed keys (client-go's default: 5 ms doubling up to 1000 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

type ReconcileOutcome = 'success' | 'error' | 'requeue_after' | 'terminal';

export class Controller {
  readonly name: string;
  readonly #reconciler: Reconciler;
  readonly #workers: number;
  readonly #metrics: MigrascopeMetrics | undefined;
  readonly #log: Logger;
  readonly #queue: WorkQueue;
  /** Each watched informer with the handler this controller put on it (taken off at the end). */
  readonly #watched: { informer: Informer<KubernetesObjectWithMeta>; handler: (object: KubernetesObjectWithMeta) => void }[] = [];

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#reconciler = options.reconciler;
    this.#workers = options.workers ?? 1;
    if (!Number.isInteger(this.#workers) || this.#workers < 1) {
      throw new Error(`controller ${options.name}: workers must be a whole number >= 1, got ${options.workers}`);
    }
    this.#metrics = options.metrics;
    this.#log = options.log.child({ controller: options.name });
    this.#queue = new WorkQueue({
      name: options.name,
      metrics: options.metrics,
      baseDelayMs: options.baseDelayMs,
      maxDelayMs: options.maxDelayMs,
    });
  }

  enqueue(key: ObjectKey): void {
    this.#queue.add(formatKey(key));
  }

  /**
   * Enqueues keys for every add, update and delete the informer sees: by default the object's
   * own key; with `mapToKeys`, others (a child enqueues its owner). Call before start().
   */
  watch<T extends KubernetesObjectWithMeta>(informer: Informer<T>, mapToKeys: (object: T) => ObjectKey[] = (object) => [keyOf(object)]): void {
    const enqueueAll = (object: T): void => {
      for (const key of mapToKeys(object)) this.enqueue(key);
    };
    informer.on('add', enqueueAll);
    informer.on('update', enqueueAll);
    informer.on('delete', enqueueAll);
    this.#watched.push({
      informer: informer as unknown as Informer<KubernetesObjectWithMeta>,
      handler: enqueueAll as (object: KubernetesObjectWithMeta) => void,
    });
  }

  /**
   * Starts the watched informers (if not yet), waits for their caches to sync (a reconciler
   * reading the cache must not see a half-listed world), then runs the workers until `signal`
   * aborts. Then no new reconcile starts, the running ones (whose signal has aborted) are waited
   * for, and this controller stops listening to the informers. The informers themselves belong
   * to whoever made them (several controllers may share one, and outlive a leadership term):
   * they keep running until their owner stops them.
   */
  async start(signal: AbortSignal): Promise<void> {
    const stopOnAbort = (): void => this.#queue.shutDown();
    signal.addEventListener('abort', stopOnAbort, { once: true });
    try {
      const synced = Promise.all(this.#watched.map(({ informer }) => informer.start()));
      await Promise.race([synced, aborted(signal)]);
      if (signal.aborted) return;
      this.#log.info({ workers: this.#workers }, 'caches synced: starting workers');
      await Promise.all(Array.from({ length: this.#workers }, () => this.#work(signal)));
      this.#log.info('workers stopped');
    } finally {
      signal.removeEventListener('abort', stopOnAbort);
      this.#queue.shutDown();
      for (const { informer, handler } of this.#watched) {
        for (const event of ['add', 'update', 'delete'] as const) informer.off(event, handler);
      }
    }
  }

  async #work(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      if (signal.aborted) {
        this.#queue.done(key);
        continue; // drain without reconciling: whoever runs next looks at every object anyway
      }
      await this.#reconcileOnce(key, signal);
    }
  }

  async #reconcileOnce(key: string, signal: AbortSignal): Promise<void> {
    const labels = { controller: this.name };
    this.#metrics?.activeWorkers.inc(labels);
    const started = performance.now();
    let outcome: ReconcileOutcome;
    try {
      const result: ReconcileResult | void = await this.#reconciler.reconcile(parseKey(key), signal);
      const requeueAfterMs = result?.requeueAfterMs;
      this.#queue.forget(key);
      if (requeueAfterMs !== undefined && requeueAfterMs > 0) {
        this.#queue.addAfter(key, requeueAfterMs);
        outcome = 'requeue_after';
      } else {
        outcome = 'success';
      }
    } catch (error) {
      this.#metrics?.reconcileErrors.inc(labels);
      if (error instanceof TerminalError) {
        this.#queue.forget(key);
        this.#log.error({ err: error, key }, 'reconcile failed for good (terminal error): not retrying');
        outcome = 'terminal';
      } else {
        this.#queue.addRateLimited(key);
        this.#log.warn({ err: error, key, retries: this.#queue.numRequeues(key) }, 'reconcile failed: retrying with backoff');
        outcome = 'error';
      }
    } finally {
      this.#queue.done(key);
      this.#metrics?.activeWorkers.dec(labels);
      this.#metrics?.reconcileTime.observe(labels, (performance.now() - started) / 1000);
    }
    this.#metrics?.reconcileTotal.inc({ ...labels, result: outcome });
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
