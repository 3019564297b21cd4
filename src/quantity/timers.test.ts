import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, setLongTimeout, sleep, timerDelay } from './timers.ts';

const HOUR = 3_600_000;

describe('Given delays beyond what setTimeout holds (2^31-1 ms)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('When sleeping 1000 h, Then it neither wakes after 1 ms nor at the first chunk, but at 1000 h', async () => {
    let woke = false;
    void sleep(1000 * HOUR).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1000 * HOUR - MAX_TIMER_MS - 20);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    expect(woke).toBe(true);
  });

  it('When a long sleep is aborted, Then it resolves at once and leaves no timer', async () => {
    const controller = new AbortController();
    let woke = false;
    void sleep(1000 * HOUR, controller.signal).then(() => (woke = true));
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(woke).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('When a long timeout is cancelled, Then it never fires', async () => {
    const fired = vi.fn();
    const cancel = setLongTimeout(fired, 100 * 24 * HOUR);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 5);
    cancel();
    await vi.advanceTimersByTimeAsync(100 * 24 * HOUR);
    expect(fired).not.toHaveBeenCalled();
  });

  it('Then timerDelay caps a delay and takes a past one as 0', () => {
    expect(timerDelay(1e15)).toBe(MAX_TIMER_MS);
    expect(timerDelay(-5)).toBe(0);
    expect(timerDelay(12)).toBe(12);
  });
});
