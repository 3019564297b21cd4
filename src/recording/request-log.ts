// The request log: one JSON line per action, {"t": start epoch ms, "action", "ms", "ok"} (and
// "error": kind on a failure), so that any run can be analysed again with other SLA settings.
// Lines are written in completion order, so "t" is not monotonic; readers must not assume it is.
//
// A disk slower than the load does not slow the load down (users waiting on a disk would measure
// the disk, not the application): lines wait in memory up to a bound, and beyond it whole batches
// are dropped and counted, so memory stays bounded and the run says exactly how many lines its log
// lacks (`dropped`). The histograms and the SLA never depend on the log; only re-analysis does.
import { createWriteStream, createReadStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { ERROR_KINDS, type ActionOutcome, type ErrorKind } from './outcome.ts';
import { msFromUs } from './histogram.ts';

export interface RequestLogRecord {
  t: number;
  action: string;
  ms: number;
  ok: boolean;
  error?: ErrorKind;
}

/** Lines are batched into large writes: one write() per action would cost more than the action. */
const FLUSH_AT_CHARS = 64 * 1024;

/** Bytes that may wait for the disk (about 170,000 lines) before lines are dropped. */
export const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface RequestLogOptions {
  maxBufferedBytes?: number;
  /** Where the lines go; the file at `path` by default. */
  stream?: Writable;
}

export class RequestLogWriter {
  readonly path: string;
  #stream: Writable;
  readonly #maxBufferedBytes: number;
  #pending = '';
  #pendingLines = 0;
  #written = 0;
  #dropped = 0;
  #failure: Error | undefined;
  /** Each action's escaped name, once: the line's middle is the same for every line of an action. */
  #middles = new Map<string, string>();

  constructor(path: string, options: RequestLogOptions = {}) {
    this.path = path;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.#stream = options.stream ?? createWriteStream(path, { flags: 'w' });
    this.#stream.on('error', (error) => {
      this.#failure = error;
    });
  }

  /** Lines handed to the disk (written once close() resolves). */
  get written(): number {
    return this.#written;
  }

  /** Lines dropped because the disk was more than maxBufferedBytes behind. */
  get dropped(): number {
    return this.#dropped;
  }

  write(outcome: ActionOutcome): void {
    if (this.#failure) throw new Error(`request log ${this.path}: ${this.#failure.message}`, { cause: this.#failure });
    let middle = this.#middles.get(outcome.action);
    if (middle === undefined) {
      middle = `,"action":${JSON.stringify(outcome.action)},"ms":`;
      this.#middles.set(outcome.action, middle);
    }
    const tail = outcome.ok ? ',"ok":true}\n' : outcome.errorKind === undefined ? ',"ok":false}\n' : `,"ok":false,"error":"${outcome.errorKind}"}\n`;
    this.#pending += '{"t":' + outcome.startMs + middle + msFromUs(outcome.durationUs) + tail;
    this.#pendingLines += 1;
    if (this.#pending.length >= FLUSH_AT_CHARS) this.#flush();
  }

  /** Writes what is pending and closes the file; rejects if any write failed. */
  async close(): Promise<void> {
    this.#flush();
    if (!this.#stream.closed && !this.#failure) {
      this.#stream.end();
      await Promise.race([once(this.#stream, 'close'), once(this.#stream, 'error')]).catch(() => undefined);
    }
    if (this.#failure) throw new Error(`request log ${this.path}: ${this.#failure.message}`, { cause: this.#failure });
  }

  /** Hands the batch to the disk, or drops it (counted) while the disk is too far behind. */
  #flush(): void {
    if (this.#pending === '') return;
    // writableLength: bytes written but not yet on disk. Characters stand for bytes here: the bound
    // is on memory, and a line's characters take at least a byte each.
    const behind = this.#stream.writableLength;
    if (behind > 0 && behind + this.#pending.length > this.#maxBufferedBytes) {
      this.#dropped += this.#pendingLines;
    } else {
      this.#stream.write(this.#pending);
      this.#written += this.#pendingLines;
    }
    this.#pending = '';
    this.#pendingLines = 0;
  }
}

/**
 * The largest response time a line may give, ms: the histograms hold microseconds as exact
 * integers (up to 2^53), and a larger value would be dropped, silently, from every percentile.
 */
export const MAX_LOGGED_MS = 1e12;

/** One line of a request log as read back: a record, or why the line could not be used. */
export type RequestLogLine =
  | { line: number; record: RequestLogRecord }
  | { line: number; corrupt: string };

/** Streams a request log line by line (never the whole file in memory); blank lines are skipped. */
export async function* readRequestLog(path: string): AsyncGenerator<RequestLogLine> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    yield parseLine(line, text);
  }
}

export function parseLine(line: number, text: string): RequestLogLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { line, corrupt: `not JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line, corrupt: 'not a JSON object' };
  const { t, action, ms, ok, error } = value as Record<string, unknown>;
  if (typeof t !== 'number' || !Number.isFinite(t)) return { line, corrupt: '"t" must be the start time in epoch ms' };
  if (typeof action !== 'string' || action === '') return { line, corrupt: '"action" must be a non-empty string' };
  if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) return { line, corrupt: '"ms" must be a number >= 0' };
  if (ms > MAX_LOGGED_MS) return { line, corrupt: `"ms" must be at most ${MAX_LOGGED_MS} (about 31 years; got ${ms})` };
  if (typeof ok !== 'boolean') return { line, corrupt: '"ok" must be true or false' };
  if (error !== undefined && !ERROR_KINDS.includes(error as ErrorKind)) {
    return { line, corrupt: `"error" must be one of ${ERROR_KINDS.join(', ')}` };
  }
  const record: RequestLogRecord = { t, action, ms, ok };
  if (error !== undefined) record.error = error as ErrorKind;
  return { line, record };
}
