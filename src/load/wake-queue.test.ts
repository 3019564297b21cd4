import { describe, expect, it } from 'vitest';
import { now } from './clock.ts';
import { WakeQueue } from './wake-queue.ts';

describe('Given users scheduled out of order on one wake queue', () => {
  it('Then they wake in due order, never before they are due, and the heap grows past its capacity', async () => {
    const woken: { index: number; due: number; at: number }[] = [];
    const start = now();
    const dues = [40, 5, 30, 5, 0, 25, 10, 35, 15, 20].map((offset) => start + offset);
    await new Promise<void>((resolve) => {
      const queue = new WakeQueue(2, (index, due) => {
        woken.push({ index, due, at: now() });
        if (woken.length === dues.length) resolve();
      });
      dues.forEach((due, index) => queue.schedule(index, due));
      expect(queue.size).toBe(dues.length);
    });
    expect(woken.map((w) => w.due)).toEqual([...dues].sort((a, b) => a - b));
    for (const w of woken) expect(w.at).toBeGreaterThanOrEqual(w.due - 0.5);
  });

  it('When it is stopped, Then nothing more wakes', async () => {
    let woken = 0;
    const queue = new WakeQueue(4, () => (woken += 1));
    queue.schedule(0, now() + 5);
    queue.stop();
    queue.schedule(1, now());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(woken).toBe(0);
  });
});
