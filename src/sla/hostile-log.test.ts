// Regression tests from the hostile-input review (issue 10): request logs a careless user or an
// attacker would give `migrascope analyze`.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRequestLog } from './request-log-analysis.ts';
import { SlidingWindowSla } from './sliding-window-sla.ts';
import { newHistogram, parseLine } from '../recording/index.ts';

const T0 = 1_700_000_000_000;
const dir = await mkdtemp(join(tmpdir(), 'migrascope-hostile-log-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function logFile(name: string, lines: unknown[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
  return path;
}

describe('Given a log with one line at t: 0 and the rest at a real time (a span of 54 years)', () => {
  it('Then it is analysed in a time and memory bounded by its lines, not by the span', async () => {
    const lines: unknown[] = [{ t: 0, action: 'HomePage', ms: 10, ok: true }];
    for (let s = 0; s < 400; s++) lines.push({ t: T0 + s * 1000, action: 'HomePage', ms: 10, ok: true });
    const path = await logFile('t0.jsonl', lines);
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    const analysis = await analyzeRequestLog(path, { onCorrupt: () => undefined });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 * 1024 * 1024);
    expect(analysis.actions.HomePage!.count).toBe(401);
    // Every window of the span is counted, the empty ones without being walked.
    expect(analysis.windows).toBe((analysis.end - analysis.start - analysis.window) / analysis.step + 1);
    expect(analysis.met).toEqual({ '90': true, '99': true });
  });

  it('Then the empty windows between the two stretches are counted, and the windows holding data still judged', () => {
    const sla = new SlidingWindowSla({ start: 0, window: 2000, thresholds: { A: 1000 }, percentiles: [100], skipEmptyWindows: true });
    const second = (at: number, ms: number) => ({ second: at, actions: { A: { histogram: histogramOf(ms), ok: 1, errors: {} } } });
    sla.add(second(0, 10));
    const judged = sla.add(second(1e9, 5000));
    expect(judged.length).toBeLessThan(10);
    sla.finish();
    const result = sla.result();
    expect(result.windows).toBe(1e9);
    expect(result.actions.A!.percentiles['100']!.violations).toBe(1);
  });
});

describe('Given a log with a latency of 1e13 ms (beyond what the histograms hold)', () => {
  it('Then the line is refused naming the field, never silently dropped', () => {
    const line = parseLine(7, JSON.stringify({ t: T0, action: 'HomePage', ms: 1e13, ok: true }));
    expect(line).toEqual({ line: 7, corrupt: expect.stringContaining('"ms"') as unknown });
  });

  it('Then the analysis reports it as a corrupt line', async () => {
    const lines: unknown[] = [];
    for (let s = 0; s < 400; s++) lines.push({ t: T0 + s * 1000, action: 'HomePage', ms: s === 100 ? 1e13 : 10, ok: true });
    const refused: number[] = [];
    const analysis = await analyzeRequestLog(await logFile('huge.jsonl', lines), { onCorrupt: (line) => refused.push(line) });
    expect(refused).toEqual([101]);
    expect(analysis.corruptLines).toBe(1);
  });

  it('Then the largest latency it accepts is still judged', async () => {
    const lines: unknown[] = [];
    for (let s = 0; s < 400; s++) lines.push({ t: T0 + s * 1000, action: 'HomePage', ms: s === 100 ? 1e12 : 10, ok: true });
    const analysis = await analyzeRequestLog(await logFile('large.jsonl', lines), { onCorrupt: () => undefined, percentiles: [100] });
    expect(analysis.met['100']).toBe(false);
    expect(analysis.actions.HomePage!.max['100']).toBeGreaterThanOrEqual(1e12);
  });
});

describe('Given action names that are Object.prototype members (constructor, toString, __proto__, hasOwnProperty)', () => {
  const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];

  it('Then the log is analysed with each of them as an action, judged by the default threshold only', async () => {
    const lines: unknown[] = [];
    for (let s = 0; s < 10; s++) for (const action of names) lines.push({ t: T0 + s * 1000, action, ms: action === 'toString' ? 3000 : 10, ok: true });
    const analysis = await analyzeRequestLog(await logFile('proto.jsonl', lines), { onCorrupt: () => undefined, window: 5000, defaultThreshold: 2000 });
    expect(Object.keys(analysis.actions).sort()).toEqual([...names].sort());
    for (const name of names) {
      expect(Object.hasOwn(analysis.actions, name)).toBe(true);
      expect(analysis.actions[name]!.count).toBe(10);
      expect(analysis.actions[name]!.threshold).toBe(2000);
    }
    const actions = new Map(Object.entries(analysis.actions));
    expect(actions.get('toString')!.met['90']).toBe(false);
    expect(actions.get('constructor')!.met['90']).toBe(true);
  });

  it('Then thresholds named after them apply to them, and only to them', () => {
    const thresholds = JSON.parse('{"__proto__": 500, "constructor": 700}') as Record<string, number>;
    const sla = new SlidingWindowSla({ start: 0, window: 1000, thresholds, percentiles: [90] });
    const actions = JSON.parse('{"__proto__": 0, "toString": 0}') as Record<string, unknown>;
    for (const name of Object.keys(actions)) actions[name] = { histogram: histogramOf(10), ok: 1, errors: {} };
    sla.add({ second: 0, actions: actions as never });
    const result = sla.result();
    expect(Object.hasOwn(result.actions, '__proto__')).toBe(true);
    const verdicts = new Map(Object.entries(result.actions));
    expect(verdicts.get('constructor')!.thresholdMs).toBe(700);
    expect(verdicts.get('__proto__')!.thresholdMs).toBe(500);
    expect(verdicts.get('toString')!.thresholdMs).toBeNull();
  });
});

function histogramOf(ms: number) {
  const histogram = newHistogram();
  histogram.recordValue(ms * 1000);
  return histogram;
}
