// Writes a running experiment's status to the API server: one write at a time, the latest status
// wins (intermediate ones are skipped, never written out of order), and a failed write is retried
// with backoff until it lands, so an API server that restarts mid-run loses nothing: the final
// status in particular is written once it is back.
import type { Logger } from '../log/index.ts';

export type StatusWrite = (patch: Record<string, unknown>) => Promise<void>;

export interface StatusPublisherOptions {
  log: Logger;
  /** First retry after this long, doubling up to maxRetryMs (defaults 500 ms and 10 s). */
  retryMs?: number;
  maxRetryMs?: number;
}

/**
 * A JSON merge patch taking `previous` to `next` at the top level: keys `next` lacks are sent as
 * null, which deletes them (a finished experiment has no currentRun any more).
 */
export function mergePatchOf(previous: object | undefined, next: object): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...next };
  for (const key of Object.keys(previous ?? {})) {
    if (!(key in next) || (next as Record<string, unknown>)[key] === undefined) patch[key] = null;
  }
  for (const [key, value] of Object.entries(patch)) if (value === undefined) delete patch[key];
  return patch;
}

export class StatusPublisher {
  readonly #write: StatusWrite;
  readonly #options: StatusPublisherOptions;
  #written: object | undefined;
  #latest: object | undefined;
  #loop: Promise<void> | undefined;
  #closed = false;
  #wake: (() => void) | undefined;

  /** `current` is the status on the server now (its keys are cleared when a later status lacks them). */
  constructor(write: StatusWrite, current: object | undefined, options: StatusPublisherOptions) {
    this.#write = write;
    this.#written = current;
    this.#options = options;
  }

  publish(status: object): void {
    if (this.#closed) return;
    this.#latest = status;
    this.#loop ??= this.#drain().finally(() => (this.#loop = undefined));
  }

  /** Resolves once the latest status is written (true), or when `timeoutMs` passes or it is closed (false). */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#latest !== undefined && !this.#closed) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await Promise.race([this.#loop, new Promise((resolve) => setTimeout(resolve, Math.min(left, 200)))]);
    }
    return this.#latest === undefined;
  }

  /** Stops writing (leadership lost, shutdown): what is not written yet is the next leader's to write. */
  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  async #drain(): Promise<void> {
    let delay = this.#options.retryMs ?? 500;
    while (this.#latest !== undefined && !this.#closed) {
      const status = this.#latest;
      try {
        await this.#write(mergePatchOf(this.#written, status));
        this.#written = status;
        if (this.#latest === status) this.#latest = undefined;
        delay = this.#options.retryMs ?? 500;
      } catch (error) {
        this.#options.log.warn({ err: error, retryInMs: delay }, 'writing the status failed; retrying with the latest status');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.#wake = () => (clearTimeout(timer), resolve());
        });
        this.#wake = undefined;
        delay = Math.min(delay * 2, this.#options.maxRetryMs ?? 10_000);
      }
    }
  }
}
