// The driver's one clock: epoch milliseconds with sub-millisecond resolution, from the monotonic
// performance clock (so a wall-clock step during a run cannot bend a response time) anchored at
// the process's time origin (so results line up with other machines' epoch timestamps).
import { performance } from 'node:perf_hooks';

const origin = performance.timeOrigin;

/** Now, in epoch milliseconds (fractional). */
export function now(): number {
  return origin + performance.now();
}

/** Waits until epoch time `at` (at once when it has passed). */
export function sleepUntil(at: number): Promise<void> {
  const delay = at - now();
  return new Promise((resolve) => setTimeout(resolve, delay > 0 ? delay : 0));
}
