// Requests per second from one core: nginx on core 0, each load tool in turn on core 1, 50
// keep-alive connections. The tools: wrk (C, the ceiling), autocannon (the Node tool people reach
// for), a plain undici Pool.request loop (what Node's own HTTP client gives without a driver
// around it) and our driver (runLoad, closed loop, one GET per action, no think time). All count
// complete responses over the same stretch; the Node clients warm up first (JIT), wrk and
// autocannon count from their start as they always do. Rounds are interleaved so that a busy
// moment on this shared machine hits every tool alike, and each tool's CPU time is sampled so
// that a tool that got only part of its core is seen as such.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { run, which } from './children.ts';
import { CpuShare } from './cpu-share.ts';
import { startNginx } from './nginx.ts';
import type { ClientFigures } from './throughput-clients.ts';

const NODE = process.execPath;
const BENCH = import.meta.dirname;
const AUTOCANNON = join(BENCH, '..', 'node_modules', 'autocannon', 'autocannon.js');
export const SERVER_CORE = 0;
export const CLIENT_CORE = 1;

export interface ToolRound {
  perSecond: number;
  requests: number;
  errors: number;
  /** Share of core 1 the tool used while measured (1 = all of it). */
  coreShare: number | undefined;
  /** Requests per second of the tool's own CPU time: comparable on a busy machine. */
  perCpuSecond: number | undefined;
}

export interface ToolFigures {
  tool: string;
  command: string;
  rounds: ToolRound[];
  /** The round with the most requests per second. */
  best: ToolRound;
  p50?: number | null;
  p90?: number | null;
  p99?: number | null;
}

export interface ThroughputFigures {
  connections: number;
  seconds: number;
  rounds: number;
  server: string;
  tools: Record<string, ToolFigures | { skipped: string }>;
  ratios: Record<string, number>;
  loadAverage: { before: number[]; after: number[] };
}

interface Tool {
  name: string;
  /** Why it cannot run here, or undefined. */
  missing(): string | undefined;
  command(url: string, connections: number, seconds: number, warmup: number): string[];
  /** Startup not counted in the CPU share (process start, JIT warm-up). */
  skipMs: (warmup: number) => number;
  parse(stdout: string): ClientFigures;
}

const TOOLS: Tool[] = [
  {
    name: 'wrk',
    missing: () => (which('wrk') ? undefined : 'wrk is not installed (Debian: apt-get install wrk)'),
    command: (url, connections, seconds) => ['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, url],
    skipMs: () => 300,
    parse(stdout) {
      const total = /(\d+) requests in ([\d.]+)(m?s)/.exec(stdout);
      if (!total) throw new Error(`cannot read wrk's output:\n${stdout}`);
      const requests = Number(total[1]);
      const seconds = Number(total[2]) / (total[3] === 'ms' ? 1000 : 1);
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
      const errors = (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
      return { requests, errors, seconds, perSecond: requests / seconds, cpuSeconds: Number.NaN };
    },
  },
  {
    name: 'autocannon',
    missing: () => (existsSync(AUTOCANNON) ? undefined : `autocannon is not installed (${AUTOCANNON}); run npm install`),
    command: (url, connections, seconds) => [NODE, AUTOCANNON, '-c', String(connections), '-d', String(seconds), '-j', url],
    skipMs: () => 1000,
    parse(stdout) {
      const result = JSON.parse(stdout) as { requests: { total: number }; duration: number; errors: number; non2xx: number };
      return { requests: result.requests.total, errors: result.errors + result.non2xx, seconds: result.duration, perSecond: result.requests.total / result.duration, cpuSeconds: Number.NaN };
    },
  },
  {
    name: 'undici Pool.request',
    missing: () => undefined,
    command: (url, connections, seconds, warmup) => [NODE, join(BENCH, 'throughput-clients.ts'), 'undici', url, String(connections), String(seconds), String(warmup)],
    skipMs: () => 0,
    parse: (stdout) => JSON.parse(stdout) as ClientFigures,
  },
  {
    name: 'migrascope driver',
    missing: () => undefined,
    command: (url, connections, seconds, warmup) => [NODE, join(BENCH, 'throughput-clients.ts'), 'driver', url, String(connections), String(seconds), String(warmup)],
    skipMs: () => 0,
    parse: (stdout) => JSON.parse(stdout) as ClientFigures,
  },
];

async function measureTool(tool: Tool, url: string, connections: number, seconds: number, warmup: number): Promise<{ round: ToolRound; figures: ClientFigures }> {
  const command = tool.command(url, connections, seconds, warmup);
  let cpu: CpuShare | undefined;
  const finished = await run('taskset', ['-c', String(CLIENT_CORE), ...command], (seconds + warmup + 30) * 1000, {}, (child) => {
    if (child.pid !== undefined) cpu = new CpuShare(child.pid);
  });
  cpu?.stop();
  if (finished.code !== 0) throw new Error(`${tool.name} failed (${finished.signal ?? `exit ${finished.code}`}): ${finished.stderr.trim().split('\n').slice(-5).join('\n')}`);
  const figures = tool.parse(finished.stdout);
  // The Node clients time their own measured stretch; the others are sampled from outside.
  const coreShare = Number.isFinite(figures.cpuSeconds) ? figures.cpuSeconds / figures.seconds : cpu?.share(tool.skipMs(warmup));
  return {
    figures,
    round: {
      perSecond: figures.perSecond,
      requests: figures.requests,
      errors: figures.errors,
      coreShare,
      perCpuSecond: coreShare ? figures.perSecond / coreShare : undefined,
    },
  };
}

export interface ThroughputOptions {
  connections: number;
  seconds: number;
  warmup: number;
  rounds: number;
  /** Only the tools whose name contains one of these (all when empty). */
  tools?: readonly string[];
  log: (line: string) => void;
}

export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputFigures | { skipped: string }> {
  const server = await startNginx(SERVER_CORE);
  if (typeof server === 'string') return { skipped: server };
  const loadBefore = loadavg();
  const tools: ThroughputFigures['tools'] = {};
  const measured = new Map<string, ToolFigures>();
  try {
    const chosen = TOOLS.filter((tool) => !options.tools?.length || options.tools.some((name) => tool.name.includes(name)));
    for (const tool of chosen) {
      const missing = tool.missing();
      if (missing) {
        options.log(`  ${tool.name}: skipped, ${missing}`);
        tools[tool.name] = { skipped: missing };
      }
    }
    const runnable = chosen.filter((tool) => tools[tool.name] === undefined);
    for (let round = 0; round < options.rounds; round++) {
      // Alternate the order, so that neither end of a round is always the same tool's.
      const order = round % 2 === 0 ? runnable : [...runnable].reverse();
      for (const tool of order) {
        const { round: figures, figures: raw } = await measureTool(tool, server.url, options.connections, options.seconds, options.warmup);
        const share = figures.coreShare === undefined ? '' : `, ${(figures.coreShare * 100).toFixed(0)}% of its core`;
        options.log(`  ${tool.name}: ${Math.round(figures.perSecond)} req/s${share}${figures.errors ? `, ${figures.errors} errors` : ''}`);
        const soFar = measured.get(tool.name);
        const command = ['taskset', '-c', String(CLIENT_CORE), ...tool.command(server.url, options.connections, options.seconds, options.warmup)].join(' ');
        const entry: ToolFigures = soFar ?? { tool: tool.name, command, rounds: [], best: figures };
        entry.rounds.push(figures);
        if (figures.perSecond >= entry.best.perSecond) {
          entry.best = figures;
          if (raw.p50 !== undefined) Object.assign(entry, { p50: raw.p50, p90: raw.p90, p99: raw.p99 });
        }
        measured.set(tool.name, entry);
      }
    }
  } finally {
    await server.close();
  }
  for (const [name, entry] of measured) tools[name] = entry;
  return { connections: options.connections, seconds: options.seconds, rounds: options.rounds, server: 'nginx, 1 worker, return 200, core 0', tools, ratios: ratiosOf(measured), loadAverage: { before: loadBefore, after: loadavg() } };
}

/** Our driver against each peer: by wall-clock rate, and by rate per CPU-second. */
function ratiosOf(measured: ReadonlyMap<string, ToolFigures>): Record<string, number> {
  const ours = measured.get('migrascope driver')?.best;
  const ratios: Record<string, number> = {};
  if (!ours) return ratios;
  for (const [name, entry] of measured) {
    if (name === 'migrascope driver') continue;
    ratios[`driver / ${name}`] = ours.perSecond / entry.best.perSecond;
    if (ours.perCpuSecond && entry.best.perCpuSecond) ratios[`driver / ${name} (per CPU-second)`] = ours.perCpuSecond / entry.best.perCpuSecond;
  }
  return ratios;
}
