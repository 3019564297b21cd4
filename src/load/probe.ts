// The active downtime probe: the application asked "are you there?" every 20 ms (an HTTP GET of a
// cheap page, or a bare TCP connect), and the time of every answer kept. Downtime as a user sees
// it is then the longest stretch without an answer: during a live migration's stop-and-copy the
// VM answers nothing, and the gap between the last answer before and the first after is what the
// study reports as downtime (3 s for its 44 s migration).
//
// Probes do not wait for each other: each tick sends a new one (up to a bound in flight), so a
// stalled probe cannot hide the moment the application comes back.
import { connect as connectTcp } from 'node:net';
import { Pool } from 'undici';
import { now } from './clock.ts';

export interface ProbeOptions {
  /** http: GET `url` (an answer is any status below 500); tcp: connect to `url`'s host and port. */
  mode: 'http' | 'tcp';
  url: string;
  /** Default 20 ms. */
  intervalMs?: number;
  /** A probe unanswered after this long is abandoned (default 2 s). */
  timeoutMs?: number;
}

export interface Gap {
  /** Epoch ms of the last answer before the gap (or the probe's start). */
  fromMs: number;
  /** Epoch ms of the first answer after it (or the probe's end). */
  toMs: number;
  durationMs: number;
}

export class DowntimeProbe {
  readonly intervalMs: number;
  readonly #timeoutMs: number;
  readonly #mode: 'http' | 'tcp';
  readonly #url: URL;
  readonly #maxInFlight: number;
  #pool: Pool | undefined;
  #timer: NodeJS.Timeout | undefined;
  #answers = new Float64Array(4096);
  #answered = 0;
  #sent = 0;
  #failed = 0;
  #inFlight = 0;
  #startedAt = Number.NaN;
  #stoppedAt = Number.NaN;
  #drained: (() => void) | undefined;

  constructor(options: ProbeOptions) {
    this.#mode = options.mode;
    this.#url = new URL(options.url);
    this.intervalMs = options.intervalMs ?? 20;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#maxInFlight = Math.max(2, Math.ceil(this.#timeoutMs / this.intervalMs) + 1);
  }

  start(): void {
    if (this.#timer) return;
    this.#startedAt = now();
    if (this.#mode === 'http') {
      this.#pool = new Pool(this.#url.origin, {
        connections: this.#maxInFlight,
        connectTimeout: this.#timeoutMs,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        keepAliveTimeout: 10_000,
      });
    }
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), this.intervalMs);
  }

  /** Stops probing; resolves once the probes in flight have ended. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (Number.isNaN(this.#stoppedAt)) this.#stoppedAt = now();
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    await this.#pool?.close();
    this.#pool = undefined;
  }

  get sent(): number {
    return this.#sent;
  }

  get answered(): number {
    return this.#answered;
  }

  /** Probes that failed outright (refused, reset, timed out, 5xx). */
  get failed(): number {
    return this.#failed;
  }

  /** The answer times (epoch ms), in the order they came. */
  answerTimes(): Float64Array {
    return this.#answers.slice(0, this.#answered);
  }

  /**
   * The longest stretch without an answer that overlaps [fromMs, toMs] (by default the whole
   * probe). A gap still open at the end runs to when the probe stopped (or to now).
   */
  longestGap(fromMs = Number.NEGATIVE_INFINITY, toMs = Number.POSITIVE_INFINITY): Gap {
    return this.gaps(0, fromMs, toMs).reduce<Gap>((longest, gap) => (gap.durationMs > longest.durationMs ? gap : longest), {
      fromMs: Math.max(fromMs, this.#startedAt),
      toMs: Math.max(fromMs, this.#startedAt),
      durationMs: 0,
    });
  }

  /** Every stretch without an answer longer than `minMs` overlapping [fromMs, toMs], in time order. */
  gaps(minMs: number, fromMs = Number.NEGATIVE_INFINITY, toMs = Number.POSITIVE_INFINITY): Gap[] {
    const times = this.answerTimes().sort();
    const end = Number.isNaN(this.#stoppedAt) ? now() : this.#stoppedAt;
    const found: Gap[] = [];
    let previous = this.#startedAt;
    const consider = (next: number): void => {
      if (next - previous > minMs && next >= fromMs && previous <= toMs) found.push({ fromMs: previous, toMs: next, durationMs: next - previous });
    };
    for (const time of times) {
      consider(time);
      previous = time;
    }
    consider(end);
    return found;
  }

  #tick(): void {
    if (this.#inFlight >= this.#maxInFlight) return;
    this.#inFlight += 1;
    this.#sent += 1;
    const probe = this.#mode === 'http' ? this.#get() : this.#connect();
    probe.then(
      (answered) => this.#settle(answered),
      () => this.#settle(false),
    );
  }

  #settle(answered: boolean): void {
    this.#inFlight -= 1;
    if (answered) this.#record(now());
    else this.#failed += 1;
    if (this.#inFlight === 0) this.#drained?.();
  }

  async #get(): Promise<boolean> {
    if (!this.#pool) return false;
    const path = `${this.#url.pathname}${this.#url.search}`;
    // undici's own request (its timeouts bound each probe); the body is read and dropped.
    const response = await this.#pool.request({ method: 'GET', path, headers: { 'user-agent': 'migrascope-probe' } });
    await response.body.dump();
    return response.statusCode < 500;
  }

  #connect(): Promise<boolean> {
    return new Promise((resolve) => {
      const port = Number(this.#url.port || (this.#url.protocol === 'https:' ? 443 : 80));
      const socket = connectTcp({ host: this.#url.hostname, port, timeout: this.#timeoutMs });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(false));
    });
  }

  #record(at: number): void {
    if (this.#answered === this.#answers.length) {
      const grown = new Float64Array(this.#answers.length * 2);
      grown.set(this.#answers);
      this.#answers = grown;
    }
    this.#answers[this.#answered] = at;
    this.#answered += 1;
  }
}
