// How long `migrascope` takes to start and how much memory it holds at its peak, for the short
// commands a person runs by hand (`predict`, `analyze` of a small log, `--help`), beside a bare
// `node -e 0` measured in the same run: the floor any Node program pays.
//
// Each command runs as a person runs it, through bin/migrascope, under GNU time for its peak
// resident set (%M, the most any process of it held: bash, then node); the wall time is taken
// here around the whole child. Runs are interleaved (one of each command, N times) so a busy
// moment on this shared machine hits every command alike, and the median of N is reported.
// Warm: Node's compile cache (bin/migrascope turns it on) already holds the sources, as on every
// run but the first after a change. Cold: the cache emptied before each run, every source stripped
// of its types and compiled again, as on the first run.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atExit, run } from './children.ts';

export interface StartupCase {
  name: string;
  /** Peak resident set, MiB: the median of the runs. */
  peakMiB: number;
  /** Wall time, ms: the median of the runs. */
  wallMs: number;
  /** CPU time (user + system, every thread), ms: the median of the runs; GNU time counts in 10 ms steps. */
  cpuMs: number;
  /** Ratios to `node -e 0` of the same run (the same cache state). */
  overNode: { wall: number; cpu: number; peak: number };
}

export interface StartupFigures {
  runs: number;
  warm: StartupCase[];
  cold: StartupCase[];
  /** The request log `analyze` reads: its lines and the seconds they span. */
  requestLog: { lines: number; seconds: number };
}

const BIN = join(import.meta.dirname, '..', 'bin', 'migrascope');
/** The seven actions of Olio's mix (the Cloudstone SLA names them). */
const ACTIONS = ['HomePage', 'Login', 'TagSearch', 'EventDetail', 'PersonDetail', 'AddPerson', 'AddEvent'];
const LOG_SECONDS = 60;

/** A small request log, as `migrascope load --log` writes it: one minute, each action once a second. */
function writeRequestLog(path: string): { lines: number; seconds: number } {
  const t0 = Date.UTC(2026, 0, 1);
  const lines: string[] = [];
  for (let second = 0; second < LOG_SECONDS; second++) {
    ACTIONS.forEach((action, i) => {
      lines.push(JSON.stringify({ t: t0 + second * 1000 + i * 100, action, ms: 20 + ((second * 31 + i * 17) % 200), ok: true }));
    });
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { lines: lines.length, seconds: LOG_SECONDS };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

type Sample = { wallMs: number; cpuMs: number; peakMiB: number };

/** One run of `command` under GNU time: wall ms measured here, CPU and peak RSS (MiB) from time's %U, %S and %M. */
async function once(time: string, command: readonly string[], cacheDir: string): Promise<Sample> {
  const started = process.hrtime.bigint();
  const finished = await run(time, ['-f', 'startup peak-kib=%M user-s=%U system-s=%S', ...command], 30_000, { env: { ...process.env, NODE_COMPILE_CACHE: cacheDir, MIGRASCOPE_LOG_LEVEL: 'warn' } });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const figures = /startup peak-kib=(\d+) user-s=([\d.]+) system-s=([\d.]+)/.exec(finished.stderr);
  if (finished.code !== 0 || figures === null) throw new Error(`${command.join(' ')}: exit code ${finished.code}\n${finished.stderr.trim().split('\n').slice(-5).join('\n')}`);
  return { wallMs, cpuMs: (Number(figures[2]) + Number(figures[3])) * 1000, peakMiB: Number(figures[1]) / 1024 };
}

export async function measureStartup(options: { runs: number; log: (line: string) => void }): Promise<StartupFigures | { skipped: string }> {
  const time = '/usr/bin/time';
  if (!existsSync(time)) return { skipped: 'GNU time (/usr/bin/time, Debian package time) is not installed' };
  const dir = mkdtempSync(join(tmpdir(), 'migrascope-bench-startup-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const drop = atExit(remove);
  try {
    const logPath = join(dir, 'request-log.jsonl');
    const requestLog = writeRequestLog(logPath);
    const commands: [string, string[]][] = [
      ['node -e 0', [process.execPath, '-e', '0']],
      ['migrascope --help', [BIN, '--help']],
      ['migrascope predict --preset study-web-vm', [BIN, 'predict', '--preset', 'study-web-vm']],
      // 10 s windows: the default 5 min window is longer than this log, and would judge nothing.
      [`migrascope analyze <${requestLog.lines} lines> --window 10s`, [BIN, 'analyze', logPath, '--window', '10s']],
    ];
    const measure = async (cold: boolean): Promise<StartupCase[]> => {
      const cacheDir = join(dir, cold ? 'cold-cache' : 'warm-cache');
      const samples = new Map<string, Sample[]>(commands.map(([name]) => [name, []]));
      // The warm cache is filled by one unrecorded run of each command.
      if (!cold) for (const [, command] of commands) await once(time, command, cacheDir);
      for (let round = 0; round < options.runs; round++) {
        for (const [name, command] of commands) {
          if (cold) rmSync(cacheDir, { recursive: true, force: true });
          samples.get(name)!.push(await once(time, command, cacheDir));
        }
      }
      const cases = commands.map(([name]) => {
        const runs = samples.get(name)!;
        return { name, wallMs: median(runs.map((sample) => sample.wallMs)), cpuMs: median(runs.map((sample) => sample.cpuMs)), peakMiB: median(runs.map((sample) => sample.peakMiB)) };
      });
      const node = cases[0]!;
      return cases.map((entry) => ({ ...entry, overNode: { wall: entry.wallMs / node.wallMs, cpu: entry.cpuMs / node.cpuMs, peak: entry.peakMiB / node.peakMiB } }));
    };
    const warm = await measure(false);
    const cold = await measure(true);
    return { runs: options.runs, warm, cold, requestLog };
  } finally {
    drop();
    remove();
  }
}
