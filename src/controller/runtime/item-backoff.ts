// Per-key exponential backoff, as client-go's ItemExponentialFailureRateLimiter: the n-th retry
// of a key waits base * 2^n (5 ms, 10 ms, 20 ms ... up to 1000 s by default); forget() starts over.

export interface ItemBackoffOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export const DEFAULT_BASE_DELAY_MS = 5;
export const DEFAULT_MAX_DELAY_MS = 1_000_000;

export class ItemBackoff {
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #failures = new Map<string, number>();

  constructor(options: ItemBackoffOptions = {}) {
    this.#baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    this.#maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    if (!(this.#baseDelayMs > 0) || !(this.#maxDelayMs >= this.#baseDelayMs)) {
      throw new Error(`work queue backoff: need 0 < baseDelayMs <= maxDelayMs, got ${this.#baseDelayMs} and ${this.#maxDelayMs}`);
    }
  }

  /** The delay before the key's next retry; counts this retry. */
  when(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    // 2^failures overflows to Infinity long before it matters; min() keeps the cap exact.
    return Math.min(this.#baseDelayMs * 2 ** failures, this.#maxDelayMs);
  }

  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }
}
