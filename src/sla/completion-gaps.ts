// Downtime as the users saw it, passively: the longest stretch without a completed action around
// a time range (a migration's stop-and-copy, say). Completions are kept as one bit-per-ms map of
// the range (a byte per ms: 44 KB for a 44 s migration) whatever the load, so the answer is exact
// to the millisecond and memory does not grow with the request rate. Completions may arrive in
// any order (a request log is written in completion order by many users).
import type { ActionOutcome } from '../recording/index.ts';
import { readRequestLog } from '../recording/index.ts';
import { InvalidInputError } from '../invalid/index.ts';

export interface TimeRange {
  /** Epoch ms. */
  from: number;
  /** Epoch ms, inclusive. */
  to: number;
}

export interface CompletionGap {
  /** The last completion before the gap (or the range start when none was seen before it). */
  from: number;
  /** The first completion after the gap (or the range end when none was seen after it). */
  to: number;
  ms: number;
  /** False when the gap reaches the edge of what was seen, so the real one may be longer. */
  bounded: boolean;
}

export class CompletionGaps {
  readonly range: TimeRange;
  readonly #seen: Uint8Array;
  #lastBefore = Number.NEGATIVE_INFINITY;
  #firstAfter = Number.POSITIVE_INFINITY;

  constructor(range: TimeRange) {
    if (!(Number.isFinite(range.from) && Number.isFinite(range.to))) throw new InvalidInputError('range', 'needs a finite from and to (epoch ms)');
    if (range.to < range.from) throw new InvalidInputError('range', 'ends before it starts');
    this.range = { from: Math.floor(range.from), to: Math.floor(range.to) };
    this.#seen = new Uint8Array(this.range.to - this.range.from + 1);
  }

  /** A successful action counts as an answer at the time it completed; a failure is no answer. */
  observeOutcome(outcome: ActionOutcome): void {
    if (outcome.ok) this.observe(outcome.startMs + outcome.durationUs / 1000);
  }

  /** An answer at `completedMs` (epoch ms). */
  observe(completedMs: number): void {
    const ms = Math.floor(completedMs);
    if (ms < this.range.from) this.#lastBefore = Math.max(this.#lastBefore, ms);
    else if (ms > this.range.to) this.#firstAfter = Math.min(this.#firstAfter, ms);
    else this.#seen[ms - this.range.from] = 1;
  }

  longest(): CompletionGap {
    const { from, to } = this.range;
    let previous = Number.isFinite(this.#lastBefore) ? this.#lastBefore : undefined;
    let best: CompletionGap | undefined;
    const consider = (start: number | undefined, end: number | undefined): void => {
      const gap: CompletionGap = { from: start ?? from, to: end ?? to, ms: 0, bounded: start !== undefined && end !== undefined };
      gap.ms = gap.to - gap.from;
      if (best === undefined || gap.ms > best.ms) best = gap;
    };
    for (let offset = 0; offset < this.#seen.length; offset++) {
      if (this.#seen[offset] === 0) continue;
      consider(previous, from + offset);
      previous = from + offset;
    }
    consider(previous, Number.isFinite(this.#firstAfter) ? this.#firstAfter : undefined);
    return best!;
  }
}

/** The longest completion gap around `range`, read from a request log (corrupt lines reported). */
export async function completionGapFromLog(
  path: string,
  range: TimeRange,
  onCorrupt: (line: number, reason: string) => void,
): Promise<CompletionGap> {
  const gaps = new CompletionGaps(range);
  for await (const line of readRequestLog(path)) {
    if ('corrupt' in line) onCorrupt(line.line, line.corrupt);
    else if (line.record.ok) gaps.observe(line.record.t + line.record.ms);
  }
  return gaps.longest();
}
