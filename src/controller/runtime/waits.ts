// Waits that end early when their signal aborts, on the ordinary timers (so tests can move them).

/** Resolves after `ms`, or at once when `signal` aborts (never rejects: callers check the signal). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * A signal that aborts when `parent` does or after `ms`, on the timers the rest of the runtime
 * uses (AbortSignal.timeout runs on an internal clock that tests cannot move). Call clear() after.
 */
export function deadline(ms: number, parent: AbortSignal): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${Math.round(ms)} ms`)), ms);
  const onParent = (): void => controller.abort(parent.reason);
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}
