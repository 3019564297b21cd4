// The wait between attempts to re-establish something (a list, a watch), as client-go's
// reflector backoff: 800 ms doubling up to 30 s, jittered so that many clients of a restarted
// API server do not return at the same instant, and back to the start after a quiet while.

export interface RetryBackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** After this long without a failure the next failure waits initialMs again. */
  resetAfterMs?: number;
  random?: () => number;
}

export class RetryBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #resetAfterMs: number;
  readonly #random: () => number;
  #currentMs = 0;
  #lastFailureAt = 0;

  constructor(options: RetryBackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 800;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#resetAfterMs = options.resetAfterMs ?? 120_000;
    this.#random = options.random ?? Math.random;
  }

  /** The wait before the next attempt after a failure now. */
  next(): number {
    const now = Date.now();
    if (this.#currentMs === 0 || now - this.#lastFailureAt > this.#resetAfterMs) this.#currentMs = this.#initialMs;
    else this.#currentMs = Math.min(this.#currentMs * 2, this.#maxMs);
    this.#lastFailureAt = now;
    // Jitter factor 1 as client-go: somewhere between the step and twice it.
    return Math.round(this.#currentMs * (1 + this.#random()));
  }

  reset(): void {
    this.#currentMs = 0;
  }
}
