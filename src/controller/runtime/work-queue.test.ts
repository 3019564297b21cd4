import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MigrascopeMetrics } from '../../metrics/index.ts';
import { WorkQueue } from './work-queue.ts';

/** Whether a get() promise has settled yet (after pending microtasks ran). */
async function settled<T>(promise: Promise<T>): Promise<{ done: boolean; value?: T }> {
  let state: { done: boolean; value?: T } = { done: false };
  void promise.then((value) => {
    state = { done: true, value };
  });
  await vi.advanceTimersByTimeAsync(0);
  return state;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Given a work queue', () => {
  describe('When the same key is added several times before anyone takes it', () => {
    it('Then it waits there once, in first-added order with the others', async () => {
      const queue = new WorkQueue({ name: 'test' });
      queue.add('ns/a');
      queue.add('ns/b');
      queue.add('ns/a');
      expect(queue.length).toBe(2);
      expect(await queue.get()).toBe('ns/a');
      expect(await queue.get()).toBe('ns/b');
      expect(queue.length).toBe(0);
    });
  });

  describe('When a key is added again while a worker processes it', () => {
    it('Then no other worker gets it until done(), and it comes back once after', async () => {
      const queue = new WorkQueue({ name: 'test' });
      queue.add('ns/a');
      const first = await queue.get();
      queue.add('ns/a');
      queue.add('ns/a');
      expect(queue.length).toBe(0);
      const second = queue.get();
      expect((await settled(second)).done).toBe(false);

      queue.done(first as string);
      expect(await settled(second)).toEqual({ done: true, value: 'ns/a' });
      queue.done('ns/a');
      expect(queue.length).toBe(0);
    });
  });

  describe('When a worker is done with a key nobody added meanwhile', () => {
    it('Then the key is not handed out again', async () => {
      const queue = new WorkQueue({ name: 'test' });
      queue.add('ns/a');
      queue.done((await queue.get()) as string);
      expect((await settled(queue.get())).done).toBe(false);
    });
  });

  describe('When a key fails again and again (addRateLimited)', () => {
    it('Then it comes back after 5 ms, 10 ms, 20 ms ... and forget() starts the backoff over', async () => {
      const queue = new WorkQueue({ name: 'test' });
      const waits: number[] = [];
      for (let failure = 0; failure < 4; failure++) {
        const before = Date.now();
        queue.addRateLimited('ns/a');
        const next = queue.get();
        while (!(await settled(next)).done) await vi.advanceTimersByTimeAsync(1);
        waits.push(Date.now() - before);
        queue.done('ns/a');
      }
      expect(waits).toEqual([5, 10, 20, 40]);
      expect(queue.numRequeues('ns/a')).toBe(4);

      queue.forget('ns/a');
      expect(queue.numRequeues('ns/a')).toBe(0);
      queue.addRateLimited('ns/a');
      await vi.advanceTimersByTimeAsync(4);
      expect(queue.length).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(queue.length).toBe(1);
    });

    it('Then the wait stops growing at maxDelayMs', async () => {
      const queue = new WorkQueue({ name: 'test', baseDelayMs: 100, maxDelayMs: 250 });
      for (let failure = 0; failure < 3; failure++) queue.addRateLimited('ns/a');
      // Delays asked: 100, 200, 250; the earliest wait wins, so the key is back after 100 ms.
      await vi.advanceTimersByTimeAsync(100);
      expect(await queue.get()).toBe('ns/a');
      queue.done('ns/a');
      queue.addRateLimited('ns/a');
      await vi.advanceTimersByTimeAsync(249);
      expect(queue.length).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(queue.length).toBe(1);
    });

    it('Then each key has its own backoff', async () => {
      const queue = new WorkQueue({ name: 'test' });
      queue.addRateLimited('ns/a');
      queue.addRateLimited('ns/a');
      queue.addRateLimited('ns/b');
      expect(queue.numRequeues('ns/a')).toBe(2);
      expect(queue.numRequeues('ns/b')).toBe(1);
    });
  });

  describe('When a key is added after a delay (addAfter)', () => {
    it('Then it appears only when the delay is over, and a later addAfter does not postpone it', async () => {
      const queue = new WorkQueue({ name: 'test' });
      queue.addAfter('ns/a', 1_000);
      queue.addAfter('ns/a', 5_000);
      await vi.advanceTimersByTimeAsync(999);
      expect(queue.length).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(queue.length).toBe(1);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(queue.length).toBe(1);
    });

    it('Then an earlier addAfter brings it forward', async () => {
      const queue = new WorkQueue({ name: 'test' });
      queue.addAfter('ns/a', 5_000);
      queue.addAfter('ns/a', 100);
      await vi.advanceTimersByTimeAsync(100);
      expect(queue.length).toBe(1);
    });

    it('Then a delay of 0 adds at once', () => {
      const queue = new WorkQueue({ name: 'test' });
      queue.addAfter('ns/a', 0);
      expect(queue.length).toBe(1);
    });
  });

  describe('When the queue shuts down', () => {
    it('Then waiting workers get undefined at once', async () => {
      const queue = new WorkQueue({ name: 'test' });
      const waiting = queue.get();
      queue.shutDown();
      expect(await settled(waiting)).toEqual({ done: true, value: undefined });
    });

    it('Then what was queued is still handed out, new adds and pending delays are dropped, then undefined', async () => {
      const queue = new WorkQueue({ name: 'test' });
      queue.add('ns/a');
      queue.add('ns/b');
      queue.addAfter('ns/c', 10);
      queue.shutDown();
      queue.add('ns/d');
      queue.addRateLimited('ns/e');
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await queue.get()).toBe('ns/a');
      expect(await queue.get()).toBe('ns/b');
      expect(await queue.get()).toBeUndefined();
      expect(queue.shuttingDown).toBe(true);
    });
  });

  describe('When it reports metrics', () => {
    it('Then adds, depth and retries are counted under the queue name', async () => {
      const metrics = new MigrascopeMetrics({ defaultMetrics: false });
      const queue = new WorkQueue({ name: 'experiments', metrics });
      queue.add('ns/a');
      queue.add('ns/a');
      queue.add('ns/b');
      queue.addRateLimited('ns/c');
      const text = await metrics.registry.metrics();
      expect(text).toContain('workqueue_adds_total{controller="experiments",name="experiments"} 2');
      expect(text).toContain('workqueue_depth{controller="experiments",name="experiments"} 2');
      expect(text).toContain('workqueue_retries_total{controller="experiments",name="experiments"} 1');
      await queue.get();
      expect(await metrics.registry.metrics()).toContain('workqueue_queue_duration_seconds_count{controller="experiments",name="experiments"} 1');
    });
  });

  describe('When a key is being processed and Prometheus scrapes', () => {
    it('Then unfinished work and the longest running processor count its time, and done() observes the work duration', async () => {
      const metrics = new MigrascopeMetrics({ defaultMetrics: false });
      const queue = new WorkQueue({ name: 'experiments', metrics });
      queue.add('ns/a');
      const key = await queue.get();
      await vi.advanceTimersByTimeAsync(2_000);
      let text = await metrics.registry.metrics();
      expect(text).toContain('workqueue_unfinished_work_seconds{controller="experiments",name="experiments"} 2');
      expect(text).toContain('workqueue_longest_running_processor_seconds{controller="experiments",name="experiments"} 2');
      queue.done(key!);
      text = await metrics.registry.metrics();
      expect(text).toContain('workqueue_work_duration_seconds_count{controller="experiments",name="experiments"} 1');
      expect(text).toContain('workqueue_work_duration_seconds_bucket{le="2.5",controller="experiments",name="experiments"} 1');
      expect(text).toContain('workqueue_unfinished_work_seconds{controller="experiments",name="experiments"} 0');
      expect(text).toContain('workqueue_longest_running_processor_seconds{controller="experiments",name="experiments"} 0');
    });
  });
});
