import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type JsHistogram } from 'hdr-histogram-js';
import { analyzeRequestLog, type LogAnalysisOptions } from './request-log-analysis.ts';

const T0 = 1_700_000_000_000;
const dir = await mkdtemp(join(tmpdir(), 'migrascope-analysis-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What HdrHistogram reports for a sample of `ms`: the top of its bucket, in ms. */
function reported(ms: number): number {
  return (build() as JsHistogram).highestEquivalentValue(ms * 1000) / 1000;
}

/**
 * 20 s of log, worked by hand with 10 s windows every 5 s (windows end at 10, 15 and 20 s):
 * - HomePage: 10 actions a second of 100 ms, but 1500 ms in seconds 12 and 13 (20 slow ones).
 *   [0,10) all fast; [5,15) and [10,20) hold 20 slow of 100: p90 (90th) and p99 are 1500 ms.
 * - Login: one action a second of 500 ms, 1200 ms in second 19, and 2 failures in second 3.
 *   Each window holds 10 successes: p90 = 9th = 500 ms, p99 = 10th: 1200 ms in [10,20) only.
 *   [0,10) also holds the 2 failures: 2 of 12 failed, more than 10% and 1%, so p90 and p99 break there.
 * - Export: no threshold: measured, not judged.
 */
function handLog(): string[] {
  const lines: string[] = [];
  for (let s = 0; s < 20; s++) {
    for (let i = 0; i < 10; i++) lines.push(JSON.stringify({ t: T0 + s * 1000 + i * 90, action: 'HomePage', ms: s === 12 || s === 13 ? 1500 : 100, ok: true }));
    lines.push(JSON.stringify({ t: T0 + s * 1000 + 500, action: 'Login', ms: s === 19 ? 1200 : 500, ok: true }));
    lines.push(JSON.stringify({ t: T0 + s * 1000 + 1, action: 'Export', ms: 20_000, ok: true }));
  }
  lines.push(JSON.stringify({ t: T0 + 3000, action: 'Login', ms: 30_000, ok: false, error: 'timeout' }));
  lines.push(JSON.stringify({ t: T0 + 3999, action: 'Login', ms: 1, ok: false }));
  // Completion order, not start order: the lines at odd positions come in reverse (a permutation).
  return lines.map((line, i) => lines[i % 2 === 0 ? i : lines.length - i] ?? line);
}

async function logFile(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

const SLA = { window: 10_000, step: 5000, thresholds: { HomePage: 1000, Login: 1000 } };

describe('Given a hand-computed request log in completion order', () => {
  const corrupt: [number, string][] = [];
  const options: LogAnalysisOptions = { ...SLA, onCorrupt: (line, reason) => corrupt.push([line, reason]) };

  describe('When analysed over its whole span', async () => {
    const analysis = await analyzeRequestLog(await logFile('hand.jsonl', handLog()), options);

    it('Then steady state is the log span and three windows are judged', () => {
      expect([analysis.start, analysis.end, analysis.windows]).toEqual([T0, T0 + 20_000, 3]);
      expect(corrupt).toEqual([]);
    });

    it('Then HomePage p90 and p99 reach 1500 ms and violate in two windows', () => {
      expect(analysis.actions.HomePage).toEqual({
        count: 200,
        errors: 0,
        threshold: 1000,
        max: { '90': reported(1500), '99': reported(1500) },
        violations: { '90': 2, '99': 2 },
        met: { '90': false, '99': false },
        firstViolationAt: { '90': T0 + 15_000, '99': T0 + 15_000 },
      });
    });

    it('Then Login keeps its failures out of the percentiles, but the window where they are over 10% breaks p90 and p99', () => {
      expect(analysis.actions.Login).toEqual({
        count: 22,
        errors: 2,
        threshold: 1000,
        max: { '90': reported(500), '99': reported(1200) },
        violations: { '90': 1, '99': 2 },
        met: { '90': false, '99': false },
        firstViolationAt: { '90': T0 + 10_000, '99': T0 + 10_000 },
      });
    });

    it('Then an action without a threshold is measured but not judged', () => {
      expect(analysis.actions.Export).toMatchObject({ count: 20, threshold: null, met: { '90': null, '99': null }, violations: { '90': 0 } });
      expect(analysis.actions.Export?.max['99']).toBe(reported(20_000));
    });

    it('Then the overall verdict fails both percentiles', () => {
      expect(analysis.met).toEqual({ '90': false, '99': false });
    });
  });

  describe('When steady state is cut to seconds 5..15 (offsets into the log)', async () => {
    const analysis = await analyzeRequestLog(await logFile('cut.jsonl', handLog()), {
      ...options,
      start: { afterLogStart: 5000 },
      end: { afterLogStart: 15_000 },
    });
    it('Then only actions started in [5 s, 15 s) count and one window is judged', () => {
      expect(analysis.windows).toBe(1);
      expect(analysis.actions.HomePage?.count).toBe(100);
      expect(analysis.actions.Login).toMatchObject({ count: 10, errors: 0, violations: { '99': 0 } });
    });
  });

  describe('When steady state is shorter than one window', async () => {
    const analysis = await analyzeRequestLog(await logFile('short.jsonl', handLog()), { ...options, window: 30_000 });
    it('Then no window is judged, and nothing is violated for want of windows', () => {
      expect(analysis.windows).toBe(0);
      expect(analysis.actions.HomePage).toMatchObject({ count: 200, max: { '90': null }, violations: { '90': 0 } });
    });
  });
});

describe('Given a log with corrupt lines', () => {
  it('When analysed, Then each corrupt line is reported with its number and skipped, the rest counted', async () => {
    const lines = [
      JSON.stringify({ t: T0, action: 'HomePage', ms: 100, ok: true }),
      '{"t": 1700000000500, "action": "HomePage", "ms": 10',
      JSON.stringify({ t: T0 + 999, action: 'HomePage', ms: 300, ok: true }),
      '',
      JSON.stringify({ t: 'soon', action: 'HomePage', ms: 100, ok: true }),
      JSON.stringify({ t: T0 + 400, action: 'HomePage', ms: 200, ok: true }),
    ];
    const corrupt: [number, string][] = [];
    const analysis = await analyzeRequestLog(await logFile('corrupt.jsonl', lines), {
      window: 1000,
      onCorrupt: (line, reason) => corrupt.push([line, reason]),
    });
    expect(corrupt.map(([line]) => line)).toEqual([2, 5]);
    expect(corrupt[0]?.[1]).toMatch(/not JSON/);
    expect(corrupt[1]?.[1]).toMatch(/"t"/);
    expect(analysis.corruptLines).toBe(2);
    expect(analysis.actions.HomePage?.count).toBe(3);
    expect(analysis.actions.HomePage?.max['90']).toBe(reported(300));
    expect(analysis.actions.HomePage?.max['99']).toBe(reported(300));
  });
});

describe('Given an empty log', () => {
  it('When analysed, Then it is refused naming the file: nothing to judge is no verdict', async () => {
    const path = await logFile('empty.jsonl', []);
    await expect(analyzeRequestLog(path, { onCorrupt: () => undefined })).rejects.toThrow(`${path}: holds no line`);
  });
});
