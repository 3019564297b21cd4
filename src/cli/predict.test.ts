import { afterEach, describe, expect, it, vi } from 'vitest';
import { predictPreCopy } from '../testbed/precopy-model.ts';
import { findPreCopyPreset } from '../testbed/presets.ts';
import { migrascope, migrascopeInProcess } from '../../test/support/cli.ts';


const ISSUE_EXAMPLE = ['--memory', '2GiB', '--bandwidth', '1Gbit/s', '--dirty-rate', '200MB/s', '--wws', '350MiB'];

describe('migrascope predict', () => {
  describe('Given the issue example with --json', () => {
    it('then it prints one JSON document with the rounds and the totals worked out by hand', async () => {
      const run = await migrascope('predict', ...ISSUE_EXAMPLE, '--json');
      expect(run.code).toBe(0);
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      const result = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(Object.keys(result)).toEqual(expect.arrayContaining(['rounds', 'precopySeconds', 'downtimeSeconds', 'totalSeconds', 'bytesSent']));
      const rounds = result.rounds as Record<string, number>[];
      expect(rounds).toHaveLength(12);
      for (const round of rounds) expect(Object.keys(round).sort()).toEqual(['bytes', 'seconds']);
      expect(rounds[0]).toEqual({ bytes: 2147483648, seconds: 17.179869184 });
      expect(rounds[1]?.bytes).toBe(367001600);
      expect(result.precopySeconds).toBeCloseTo(49.476009984, 9);
      expect(result.downtimeSeconds).toBeCloseTo(3.0360128, 9);
      expect(result.totalSeconds).toBeCloseTo(53.012022784, 9);
      expect(result.bytesSent).toBe(6551502848);
      expect(result.stoppedBy).toBe('maxFactor');
    });
  });

  describe('Given the issue example without --json', () => {
    it('then it prints a table of the rounds, the paused copy, and a summary a person can read', async () => {
      const run = await migrascope('predict', ...ISSUE_EXAMPLE);
      expect(run.code).toBe(0);
      const lines = run.stdout.split('\n');
      expect(lines[0]).toMatch(/^\s*round\s+bytes\s+time\s+elapsed$/);
      expect(lines[1]).toMatch(/^[- ]+$/);
      const roundLines = lines.filter((line) => /^\s+\d+\s/.test(line));
      expect(roundLines).toHaveLength(12);
      expect(roundLines[0]).toMatch(/^\s+1\s+2\.00 GiB\s+17\.18 s\s+17\.18 s$/);
      expect(roundLines[11]).toMatch(/^\s+12\s+350\.00 MiB\s+2\.94 s\s+49\.48 s$/);
      expect(run.stdout).toMatch(/^paused\s+350\.00 MiB\s+3\.04 s\s+52\.51 s$/m);
      expect(run.stdout).toMatch(/^pre-copy\s+49\.48 s in 12 rounds \(did not converge: the next round would pass the byte cap\)$/m);
      expect(run.stdout).toMatch(/^downtime\s+3\.04 s/m);
      expect(run.stdout).toMatch(/^total\s+53\.01 s$/m);
      expect(run.stdout).toMatch(/^bytes sent\s+6\.10 GiB \(3\.05 x memory\)$/m);
    });
  });

  describe('Given --preset study-web-vm', () => {
    it('then it predicts the study: about 44 s with about 3 s down', async () => {
      const run = await migrascope('predict', '--preset', 'study-web-vm', '--json');
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout) as { totalSeconds: number; downtimeSeconds: number };
      expect(result).toEqual(predictPreCopy(findPreCopyPreset('study-web-vm').input));
      expect(Math.round(result.totalSeconds)).toBe(44);
      expect(Math.round(result.downtimeSeconds)).toBe(3);
    });

    it('when flags are given too, then they override the preset and the rest of it stays', async () => {
      const run = await migrascope('predict', '--preset', 'study-web-vm', '--bandwidth', '10Gbit/s', '--max-iterations', '5', '--json');
      expect(run.code).toBe(0);
      const preset = findPreCopyPreset('study-web-vm').input;
      expect(JSON.parse(run.stdout)).toEqual(predictPreCopy({ ...preset, bandwidthBytesPerSecond: 1.25e9, maxIterations: 5 }));
    });
  });

  describe('Given every optional flag', () => {
    it('then each reaches the model with its unit', async () => {
      const run = await migrascope(
        'predict',
        ...ISSUE_EXAMPLE,
        ...['--stop-threshold', '1MiB', '--max-iterations', '4', '--max-factor', '2.5', '--resume-overhead', '1s', '--setup', '2s', '--json'],
      );
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(
        predictPreCopy({
          memoryBytes: 2 * 1024 ** 3,
          bandwidthBytesPerSecond: 125e6,
          dirtyRateBytesPerSecond: 200e6,
          writableWorkingSetBytes: 350 * 1024 ** 2,
          stopThresholdBytes: 1024 ** 2,
          maxIterations: 4,
          maxFactor: 2.5,
          resumeOverheadMs: 1000,
          setupMs: 2000,
        }),
      );
    });
  });

  describe('Given a value that is malformed or impossible', () => {
    const replace = (flag: string, value: string): string[] => {
      const args = [...ISSUE_EXAMPLE];
      const at = args.indexOf(flag);
      if (at < 0) return [...args, flag, value];
      args[at + 1] = value;
      return args;
    };
    afterEach(() => vi.restoreAllMocks());

    it('when run as a person runs it, then it exits 2 with one line on stderr and nothing on stdout', async () => {
      const run = await migrascope('predict', ...replace('--wws', '3GiB'));
      expect(run).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/^migrascope: --wws: [^\n]+\n$/) as unknown });
    });

    // The program's own main() in this process: the same parsing and exit code, without a spawn each.
    it.for([
      ['W > M', replace('--wws', '3GiB'), '--wws', /cannot be larger than the memory/],
      ['B = 0', replace('--bandwidth', '0'), '--bandwidth', /greater than zero/],
      ['B = 0 bit/s', replace('--bandwidth', '0Gbit/s'), '--bandwidth', /greater than zero/],
      ['a negative size', replace('--memory', '-2GiB'), '--memory', /must not be negative/],
      ['a negative rate', replace('--dirty-rate', '-1MB/s'), '--dirty-rate', /must not be negative/],
      ['an unknown size unit', replace('--memory', '2GiBs'), '--memory', /unknown size unit/],
      ['a size for a rate', replace('--bandwidth', '1GiB'), '--bandwidth', /unknown rate unit/],
      ['text for a size', replace('--wws', 'lots'), '--wws', /cannot read "lots"/],
      ['a bad threshold', replace('--stop-threshold', '-1KiB'), '--stop-threshold', /must not be negative/],
      ['zero iterations', replace('--max-iterations', '0'), '--max-iterations', /whole number of rounds/],
      ['fractional iterations', replace('--max-iterations', '2.5'), '--max-iterations', /whole number of rounds/],
      ['text for iterations', replace('--max-iterations', 'many'), '--max-iterations', /cannot read "many"/],
      ['a factor below 1', replace('--max-factor', '0.5'), '--max-factor', /at least 1/],
      ['NaN for a factor', replace('--max-factor', 'NaN'), '--max-factor', /cannot read "NaN"/],
      ['a bad duration', replace('--resume-overhead', '5 parsecs'), '--resume-overhead', /cannot read|unknown duration unit/],
      ['a negative setup', replace('--setup', '-1s'), '--setup', /cannot read "-1s"/],
      ['no memory at all', ISSUE_EXAMPLE.slice(2), '--memory', /is required/],
      ['an unknown preset', ['--preset', 'nope'], '--preset', /no pre-copy preset called "nope"/],
    ] as const)('when it is %s, then it exits 2 with one line naming the flag', async ([, args, flag, reason]) => {
      const run = await migrascopeInProcess('predict', ...args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr.startsWith(`migrascope: ${flag}: `)).toBe(true);
      expect(run.stderr).toMatch(reason);
    });
  });

  describe('Given --help', () => {
    it('then every flag is listed', async () => {
      const run = await migrascope('predict', '--help');
      expect(run.code).toBe(0);
      for (const flag of ['--memory', '--bandwidth', '--dirty-rate', '--wws', '--stop-threshold', '--max-iterations', '--max-factor', '--resume-overhead', '--setup', '--preset', '--json']) {
        expect(run.stdout).toContain(flag);
      }
    });
  });
});
