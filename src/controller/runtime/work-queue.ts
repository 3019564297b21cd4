// A work queue with client-go's semantics, the heart of a level-triggered controller:
// - a key waiting in the queue is there once, however often it is added (de-duplication);
// - a key being processed is never handed out again until done(); added meanwhile, it is
//   queued again at done(), so the latest state is always looked at once more;
// - addAfter() waits before adding (the earliest of several waits wins), addRateLimited()
//   waits the key's exponential backoff, forget() resets that backoff;
// - shutDown() ignores new adds, hands out what is still queued, then get() answers undefined.
import type { MigrascopeMetrics } from '../../metrics/index.ts';
import { ItemBackoff } from './item-backoff.ts';

export interface WorkQueueOptions {
  /** Names the queue in metrics (workqueue_* {name}) and logs; usually the controller's name. */
  name: string;
  metrics?: MigrascopeMetrics;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

interface Waiting {
  readyAt: number;
  timer: NodeJS.Timeout;
}

export class WorkQueue {
  readonly name: string;
  readonly #metrics: MigrascopeMetrics | undefined;
  /** controller-runtime names both after the controller. */
  readonly #labels: { controller: string; name: string };
  readonly #backoff: ItemBackoff;
  /** Keys in hand-out order; each also in #dirty. */
  #queue: string[] = [];
  /** Keys that need processing (queued, or re-added while processing). */
  readonly #dirty = new Set<string>();
  /** Keys being processed, with when each was handed out (epoch ms). */
  readonly #processing = new Map<string, number>();
  readonly #addedAt = new Map<string, number>();
  readonly #waiting = new Map<string, Waiting>();
  readonly #getters: ((key: string | undefined) => void)[] = [];
  #shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.#metrics = options.metrics;
    this.#backoff = new ItemBackoff(options);
    this.#labels = { controller: options.name, name: options.name };
    this.#metrics?.trackWorkQueue(options.name, () => this.#processing.values());
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#metrics?.workqueueAdds.inc(this.#labels);
    this.#dirty.add(key);
    if (this.#processing.has(key)) return; // queued again by done()
    this.#enqueue(key);
  }

  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const readyAt = Date.now() + ms;
    const waiting = this.#waiting.get(key);
    if (waiting && waiting.readyAt <= readyAt) return;
    if (waiting) clearTimeout(waiting.timer);
    const timer = setTimeout(() => {
      this.#waiting.delete(key);
      this.add(key);
    }, ms);
    timer.unref(); // a pending retry alone must not keep a process (or a test) alive
    this.#waiting.set(key, { readyAt, timer });
  }

  addRateLimited(key: string): void {
    if (this.#shuttingDown) return;
    this.#metrics?.workqueueRetries.inc(this.#labels);
    this.addAfter(key, this.#backoff.when(key));
  }

  forget(key: string): void {
    this.#backoff.forget(key);
  }

  numRequeues(key: string): number {
    return this.#backoff.numRequeues(key);
  }

  /** The next key to process; waits for one. undefined once shut down and empty. */
  get(): Promise<string | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) return Promise.resolve(this.#handOut(key));
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  done(key: string): void {
    const handedOutAt = this.#processing.get(key);
    if (handedOutAt !== undefined) this.#metrics?.workqueueWorkDuration.observe(this.#labels, (Date.now() - handedOutAt) / 1000);
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#enqueue(key);
  }

  shutDown(): void {
    this.#shuttingDown = true;
    for (const waiting of this.#waiting.values()) clearTimeout(waiting.timer);
    this.#waiting.clear();
    if (this.#queue.length === 0) {
      for (const getter of this.#getters.splice(0)) getter(undefined);
    }
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Keys waiting to be handed out (not those being processed or waiting for a delay). */
  get length(): number {
    return this.#queue.length;
  }

  #enqueue(key: string): void {
    this.#addedAt.set(key, Date.now());
    const getter = this.#getters.shift();
    if (getter) {
      getter(this.#handOut(key));
      return;
    }
    this.#queue.push(key);
    this.#metrics?.workqueueDepth.set(this.#labels, this.#queue.length);
  }

  #handOut(key: string): string {
    this.#dirty.delete(key);
    this.#processing.set(key, Date.now());
    const addedAt = this.#addedAt.get(key);
    this.#addedAt.delete(key);
    if (addedAt !== undefined) this.#metrics?.workqueueQueueDuration.observe(this.#labels, (Date.now() - addedAt) / 1000);
    this.#metrics?.workqueueDepth.set(this.#labels, this.#queue.length);
    if (this.#shuttingDown && this.#queue.length === 0) {
      for (const getter of this.#getters.splice(0)) getter(undefined);
    }
    return key;
  }
}
