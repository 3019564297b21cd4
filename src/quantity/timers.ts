// Timers that cannot overflow. Node's setTimeout takes at most 2^31-1 ms (about 24.8 days); a
// longer delay is taken as 1 ms, with only a TimeoutOverflowWarning, so "pause 1000h" became
// "pause 1 ms". Where a long wait is legitimate, these wait in chunks up to the deadline.

/** The longest delay setTimeout honours, ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay setTimeout honours: at most MAX_TIMER_MS (callers re-check their deadline when it fires). */
export function timerDelay(ms: number): number {
  return ms > 0 ? Math.min(ms, MAX_TIMER_MS) : 0;
}

/** Calls `callback` once `ms` have passed, however long that is; returns a cancel function. */
export function setLongTimeout(callback: () => void, ms: number): () => void {
  const deadline = Date.now() + Math.max(0, ms);
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = deadline - Date.now();
    timer = setTimeout(left > MAX_TIMER_MS ? arm : callback, timerDelay(left));
  };
  arm();
  return () => clearTimeout(timer);
}

/** Waits `ms` (in chunks when longer than a timer allows); resolves early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const cancel = setLongTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
