import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompletionGaps, completionGapFromLog } from './completion-gaps.ts';

const T0 = 1_700_000_000_000;

describe('Given completions every 100 ms with a 3 s hole during a migration', () => {
  // Answers every 100 ms from T0 to T0 + 20 s, none from T0 + 10.0 s to T0 + 13.0 s (exclusive).
  const completions: number[] = [];
  for (let ms = 0; ms <= 20_000; ms += 100) if (ms <= 10_000 || ms >= 13_000) completions.push(T0 + ms);

  it('When the range covers the hole, Then the gap is from the last answer before to the first after', () => {
    const gaps = new CompletionGaps({ from: T0 + 9000, to: T0 + 15_000 });
    for (const c of [...completions].reverse()) gaps.observe(c); // any order
    expect(gaps.longest()).toEqual({ from: T0 + 10_000, to: T0 + 13_000, ms: 3000, bounded: true });
  });

  it('When the range lies inside the hole, Then the answers just outside it still bound the gap', () => {
    const gaps = new CompletionGaps({ from: T0 + 11_000, to: T0 + 12_000 });
    for (const c of completions) gaps.observe(c);
    expect(gaps.longest()).toEqual({ from: T0 + 10_000, to: T0 + 13_000, ms: 3000, bounded: true });
  });

  it('When failures and actions in flight are observed as outcomes, Then only successes count, at their completion', () => {
    const gaps = new CompletionGaps({ from: T0 + 9000, to: T0 + 15_000 });
    for (const c of completions) gaps.observe(c);
    gaps.observeOutcome({ action: 'HomePage', startMs: T0 + 11_000, durationUs: 1000, ok: false, errorKind: 'connect' });
    gaps.observeOutcome({ action: 'HomePage', startMs: T0 + 9000, durationUs: 2_200_000, ok: true }); // completes at 11.2 s
    expect(gaps.longest()).toEqual({ from: T0 + 11_200, to: T0 + 13_000, ms: 1800, bounded: true });
  });
});

describe('Given no completion after the range', () => {
  it('When asked, Then the gap runs to the range end and says it is not bounded', () => {
    const gaps = new CompletionGaps({ from: T0, to: T0 + 5000 });
    gaps.observe(T0 + 1000);
    expect(gaps.longest()).toEqual({ from: T0 + 1000, to: T0 + 5000, ms: 4000, bounded: false });
  });
});

describe('Given a request log', () => {
  const dir = mkdtemp(join(tmpdir(), 'migrascope-gaps-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('When read, Then completions are start + ms of successful lines, and corrupt lines are reported', async () => {
    const path = join(await dir, 'log.jsonl');
    const lines = [
      { t: T0, action: 'A', ms: 500, ok: true }, // completes T0 + 500
      { t: T0 + 100, action: 'A', ms: 3000, ok: false }, // a failure: no answer
      'not json',
      { t: T0 + 2000, action: 'A', ms: 1800, ok: true }, // completes T0 + 3800
      { t: T0 + 3900, action: 'A', ms: 100, ok: true }, // completes T0 + 4000
    ];
    await writeFile(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
    const corrupt: number[] = [];
    const gap = await completionGapFromLog(path, { from: T0, to: T0 + 4000 }, (line) => corrupt.push(line));
    expect(gap).toEqual({ from: T0 + 500, to: T0 + 3800, ms: 3300, bounded: true });
    expect(corrupt).toEqual([3]);
  });
});
