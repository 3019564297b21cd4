import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { timeFrom } from './analyze.ts';
import { EXIT, takeExitCode } from './exit-codes.ts';
import { buildProgram } from './main.ts';
import { migrascope, migrascopeInProcess } from '../../test/support/cli.ts';
import { InvalidInputError } from '../invalid/index.ts';

const T0 = 1_700_000_000_000;
const dir = await mkdtemp(join(tmpdir(), 'migrascope-analyze-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The warnings the command logged (pino JSON lines on stderr). */
function warnings(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/**
 * 4 s of AddEvent, 5 actions a second, worked by hand with 2 s windows every 1 s (windows end at
 * 2, 3, 4 s): 100 ms each, except one of 5000 ms in second 2. Windows [1,3) and [2,4) hold it as
 * the 10th of 10: p99 = 5000 ms (violates 4 s twice), p90 = 9th = 100 ms (met). Line 4 is corrupt,
 * line 9 has no "ok". A failure in second 0 is an error, not timed, but 1 failed of the 11 actions
 * of window [0,2) is over p99's 1%: p99 breaks there too (3 windows), p90 does not.
 */
function handLog(corrupt = true): string {
  const lines: string[] = [];
  for (let s = 0; s < 4; s++) {
    for (let i = 0; i < 5; i++) lines.push(JSON.stringify({ t: T0 + s * 1000 + i * 100, action: 'AddEvent', ms: s === 2 && i === 0 ? 5000 : 100, ok: true }));
  }
  lines.push(JSON.stringify({ t: T0 + 10, action: 'AddEvent', ms: 3, ok: false, error: 'status' }));
  if (corrupt) {
    lines.splice(3, 0, 'this is not JSON');
    lines.splice(8, 0, JSON.stringify({ t: T0, action: 'AddEvent', ms: 1 }));
  }
  return `${lines.join('\n')}\n`;
}

describe('migrascope analyze', () => {
  describe('Given a hand-computed log with two corrupt lines, and --json', async () => {
    const log = await file('run.jsonl', handLog());
    const run = await migrascope('analyze', log, '--window', '2s', '--step', '1s', '--json');

    it('Then it prints one JSON document of the documented shape with the values worked by hand', () => {
      expect(run.code).toBe(0);
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      const result = JSON.parse(run.stdout) as { windows: number; actions: Record<string, Record<string, unknown>> };
      expect(result.windows).toBe(3);
      const addEvent = result.actions.AddEvent!;
      expect(Object.keys(addEvent)).toEqual(expect.arrayContaining(['count', 'errors', 'threshold', 'p90Max', 'p99Max', 'violations', 'met']));
      expect(addEvent.count).toBe(21);
      expect(addEvent.errors).toBe(1);
      expect(addEvent.threshold).toBe(4000);
      expect(addEvent.p90Max).toBeCloseTo(100, 0);
      expect(addEvent.p99Max as number).toBeGreaterThanOrEqual(5000);
      expect(addEvent.p99Max as number).toBeLessThan(5000 * (1 + 1 / 1024));
      expect(addEvent.violations).toEqual({ '90': 0, '99': 3 });
      expect(addEvent.met).toEqual({ '90': true, '99': false });
    });

    it('Then each corrupt line is reported on stderr with its line number and why', () => {
      const corrupt = warnings(run.stderr).filter((warning) => warning.line !== undefined);
      expect(corrupt.map((warning) => [warning.file, warning.line])).toEqual([
        [log, 4],
        [log, 9],
      ]);
      expect(corrupt[0]?.msg).toMatch(/:4: corrupt line skipped: not JSON/);
      expect(corrupt[1]?.reason).toBe('"ok" must be true or false');
    });
  });

  describe('Given --percentiles 50,99.9', async () => {
    const run = await migrascopeInProcess('analyze', await file('p.jsonl', handLog(false)), '--window', '2s', '--percentiles', '50,99.9', '--json');
    it('Then the JSON has keys of the same form for each percentile', () => {
      const addEvent = (JSON.parse(run.stdout) as { actions: Record<string, Record<string, unknown>> }).actions.AddEvent!;
      expect(Object.keys(addEvent)).toEqual(expect.arrayContaining(['p50Max', 'p99.9Max']));
      expect(Object.keys(addEvent.violations as object)).toEqual(['50', '99.9']);
    });
  });

  describe('Given no --json', async () => {
    const run = await migrascopeInProcess('analyze', await file('t.jsonl', handLog(false)), '--window', '2s');
    it('Then it prints a table per action and the verdicts', () => {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/3 windows of 2\.00 s every 1\.00 s/);
      expect(run.stdout).toMatch(/^AddEvent\s+21\s+1\s+4\.00 s\s/m);
      expect(run.stdout).toContain('SLA: p90 met, p99 VIOLATED');
    });
  });

  describe('Given steady state shorter than one window', async () => {
    const run = await migrascope('analyze', await file('s.jsonl', handLog(false)));
    it('Then it says so', () => {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('no window judged: steady state is shorter than one window');
      expect(run.stderr).toContain('shorter than one window');
    });
  });

  describe('Given an SLA file', async () => {
    const log = await file('sla.jsonl', handLog(false));
    it('When it sets AddEvent to 6s, Then p99 breaks only in the window where 1 of its 11 actions failed', async () => {
      const sla = await file('ok.yaml', 'thresholds:\n  AddEvent: 6s\nwindow: 2s\n');
      const run = await migrascopeInProcess('analyze', log, '--sla', sla, '--json');
      const result = JSON.parse(run.stdout) as { windows: number; met: Record<string, boolean>; actions: Record<string, { violations: Record<string, number> }> };
      expect(result).toMatchObject({ windows: 3, met: { '90': true, '99': false } });
      expect(result.actions.AddEvent?.violations).toEqual({ '90': 0, '99': 1 });
    });

    it.each([
      ['thresholds:\n  AddEvent: soon\n', 'thresholds.AddEvent'],
      ['thresholds:\n  AddEvent: 0s\n', 'thresholds.AddEvent'],
      ['threshold:\n  AddEvent: 1s\n', 'threshold'],
      ['thresholds: [1s]\n', 'thresholds'],
      ['window: 1.5s\nthresholds: {A: 1s}\n', 'window'],
      ['percentiles: [90, 101]\n', 'percentiles'],
    ])('When it reads %j, Then it is refused naming %s (exit 2)', async (text, field) => {
      const sla = await file(`bad-${field}.yaml`, text);
      const run = await migrascopeInProcess('analyze', log, '--sla', sla);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${sla}: ${field}`);
    });
  });

  describe('Given actions named constructor, toString and __proto__, and an SLA file with thresholds for them', async () => {
    const lines: string[] = [];
    for (let s = 0; s < 4; s++) {
      for (const action of ['constructor', 'toString', '__proto__']) lines.push(JSON.stringify({ t: T0 + s * 1000, action, ms: action === 'toString' ? 3000 : 10, ok: true }));
    }
    const log = await file('proto.jsonl', `${lines.join('\n')}\n`);
    const sla = await file('proto.yaml', 'thresholds:\n  constructor: 1s\n  toString: 2s\n  __proto__: 1s\nwindow: 2s\n');

    it('Then each is an action like any other, judged by its own threshold, in JSON and in the table', async () => {
      const run = await migrascopeInProcess('analyze', log, '--sla', sla, '--json');
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout) as { actions: Record<string, { count: number; threshold: number; met: Record<string, boolean> }> };
      expect(Object.keys(result.actions).sort()).toEqual(['__proto__', 'constructor', 'toString']);
      expect(result.actions.constructor).toMatchObject({ count: 4, threshold: 1000, met: { '90': true } });
      expect(result.actions.toString).toMatchObject({ count: 4, threshold: 2000, met: { '90': false } });
      expect(Object.getOwnPropertyDescriptor(result.actions, '__proto__')?.value).toMatchObject({ count: 4, threshold: 1000 });
      const table = await migrascopeInProcess('analyze', log, '--sla', sla);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/__proto__ +4/);
    });
  });

  describe('Given a log where every action failed (an app that could not be reached)', async () => {
    const lines: string[] = [];
    for (let s = 0; s < 4; s++) lines.push(JSON.stringify({ t: T0 + s * 1000, action: 'HomePage', ms: 2, ok: false, error: 'connect' }));
    const log = await file('unreachable.jsonl', `${lines.join('\n')}\n`);

    it('Then the SLA is not met: no data, in JSON and in the table, and the command reports failure', async () => {
      const run = await migrascopeInProcess('analyze', log, '--window', '2s', '--json');
      // The command reports its exit code (main() returns it); asked of the program itself here.
      takeExitCode();
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        await buildProgram().parseAsync(['node', 'migrascope', 'analyze', log, '--window', '2s', '--json']);
      } finally {
        vi.restoreAllMocks();
      }
      expect(takeExitCode()).toBe(EXIT.failure);
      const result = JSON.parse(run.stdout) as { met: Record<string, boolean>; noData: string[]; actions: Record<string, { met: Record<string, boolean | null> }> };
      expect(result.met).toEqual({ '90': false, '99': false });
      expect(result.noData).toEqual(['HomePage']);
      expect(result.actions.HomePage!.met).toEqual({ '90': null, '99': null });
      const table = await migrascopeInProcess('analyze', log, '--window', '2s');
      expect(table.stdout).toContain('NOT MET: no data');
      expect(table.stdout).toContain('NO DATA');
      expect(table.stdout).not.toMatch(/p90 met/);
    });
  });

  describe('Given flags that cannot be used', async () => {
    const log = await file('flags.jsonl', handLog(false));
    it.each([
      [['--window', '90ms'], '--window'],
      [['--step', 'often'], '--step'],
      [['--percentiles', '90,abc'], '--percentiles'],
      [['--start', '1500ms'], '--start'],
      [['--end', '120'], '--end'],
      [['--start', '2024-13-45T99:00:00Z'], '--start'],
    ])('When %j, Then it exits 2 naming %s', async (flags, flag) => {
      const run = await migrascopeInProcess('analyze', log, ...flags);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^migrascope: ${flag}:`));
    });

    it.each([
      ['empty.jsonl', ''],
      ['blank.jsonl', '\n\n  \n'],
      ['binary.jsonl', '\u0000\u0001\u00ff\u0089PNG\r\n\u001a\n\u0000\u0000'],
    ])('When the log is %s, Then it exits 2 naming the file, never a verdict', async (name, text) => {
      const log = await file(name, text);
      const run = await migrascopeInProcess('analyze', log, '--json');
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`migrascope: ${log}: `);
    });

    it('When the log does not exist, Then it exits non-zero naming the file', async () => {
      const run = await migrascope('analyze', join(dir, 'missing.jsonl'));
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('missing.jsonl');
    });
  });
});

describe('Given times as a person writes them', () => {
  it('Then a duration is an offset into the log, an ISO time or epoch ms is absolute', () => {
    expect(timeFrom('--start', '2m')).toEqual({ afterLogStart: 120_000 });
    expect(timeFrom('--start', '2023-11-14T22:13:20Z')).toEqual({ at: T0 });
    expect(timeFrom('--start', String(T0))).toEqual({ at: T0 });
    expect(() => timeFrom('--start', '300')).toThrow(InvalidInputError);
  });
});
