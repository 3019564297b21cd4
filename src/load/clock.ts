// The driver's one clock: epoch milliseconds with sub-millisecond resolution, from the monotonic
// performance clock (so a wall-clock step during a run cannot bend a response time) anchored at
// the process's time origin (so results line up with other machines' epoch timestamps).
import { performance } from 'node:perf_hooks';
import { timerDelay } from '../quantity/index.ts';

const origin = performance.timeOrigin;

/** Now, in epoch milliseconds (fractional). */
export function now(): number {
  return origin + performance.now();
}

/** Waits until epoch time `at` (at once when it has passed). */
export async function sleepUntil(at: number): Promise<void> {
  // A delay beyond a timer's 2^31-1 ms would fire at once: wait in chunks up to `at`.
  for (let delay = at - now(); delay > 0; delay = at - now()) await new Promise((resolve) => setTimeout(resolve, timerDelay(delay)));
}
