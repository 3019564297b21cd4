// The Node clients of the throughput and accuracy figures, each run as its own process pinned to
// one core: our load driver (runLoad with a one-action profile: closed loop, without think time
// unless asked, or open loop at a rate) and its peer, a plain undici Pool.request loop. Each
// prints one JSON line: the responses completed in the measured stretch (after a warm-up),
// counted the same way for all, and the CPU time it took.
//
//   node bench/throughput-clients.ts driver URL USERS SECONDS WARMUP [--think MS] [--rate R]
//   node bench/throughput-clients.ts undici URL CONNECTIONS SECONDS WARMUP
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { runLoad, parseRate } from '../src/load/index.ts';
import { compileProfile, parseProfileDocument, type Profile } from '../src/workloads/index.ts';

export interface ClientFigures {
  /** Responses completed in the measured stretch. */
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  /** CPU time (all threads) the client used in the measured stretch. */
  cpuSeconds: number;
  /** Driver only: the measured stretch (steady state), epoch ms. */
  fromMs?: number;
  toMs?: number;
  /** Driver only: response times over steady state, ms (HdrHistogram, 3 significant digits). */
  mean?: number | null;
  p50?: number | null;
  p90?: number | null;
  p99?: number | null;
}

/** One action, one GET of `path`; each user asks again `thinkMs` after its answer (0: at once). */
export function oneRequestProfile(path = '/', thinkMs = 0): Profile {
  return compileProfile(
    parseProfileDocument({
      name: 'bench',
      timeout: '10s',
      think: { distribution: 'fixed', mode: 'think', mean: thinkMs },
      actions: [{ name: 'Get', requests: [{ path }] }],
    }),
  );
}

/** CPU seconds used between two calls: call once to start, then call what it returns. */
function cpuClock(): () => number {
  const from = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(from);
    return (used.user + used.system) / 1e6;
  };
}

/** Calls `at` at epoch ms `epochMs`. */
function atEpoch(epochMs: number, at: () => void): void {
  setTimeout(at, Math.max(0, epochMs - (performance.timeOrigin + performance.now()))).unref();
}

export interface DriverOptions {
  users: number;
  seconds: number;
  warmupSeconds: number;
  thinkMs?: number;
  rate?: string;
}

export async function driverFigures(url: string, options: DriverOptions): Promise<ClientFigures> {
  let cpuSeconds = Number.NaN;
  const result = await runLoad({
    url,
    profile: oneRequestProfile(new URL(url).pathname, options.thinkMs),
    users: options.users,
    plan: { rampUpMs: options.warmupSeconds * 1000, steadyMs: options.seconds * 1000, rampDownMs: 250 },
    rate: options.rate === undefined ? undefined : parseRate('rate', options.rate),
    onStart: (timeline) => {
      atEpoch(timeline.steadyStart, () => {
        const used = cpuClock();
        atEpoch(timeline.steadyEnd, () => (cpuSeconds = used()));
      });
    },
  });
  const action = result.actions.Get;
  const steady = result.steadySeconds.toSecond - result.steadySeconds.fromSecond;
  const requests = action?.count ?? 0;
  return {
    requests,
    errors: action?.errors ?? 0,
    seconds: steady,
    perSecond: requests / steady,
    cpuSeconds,
    fromMs: result.steadySeconds.fromSecond * 1000,
    toMs: result.steadySeconds.toSecond * 1000,
    mean: action?.mean,
    p50: action?.p50,
    p90: action?.p90,
    p99: action?.p99,
  };
}

/** The plain peer: `connections` loops, each awaiting Pool.request and reading the body. */
export async function undiciFigures(url: string, connections: number, seconds: number, warmupSeconds: number): Promise<ClientFigures> {
  const origin = new URL(url);
  const pool = new Pool(origin.origin, { connections, pipelining: 1 });
  const from = performance.now() + warmupSeconds * 1000;
  const to = from + seconds * 1000;
  let cpuSeconds = Number.NaN;
  setTimeout(() => {
    const used = cpuClock();
    setTimeout(() => (cpuSeconds = used()), seconds * 1000);
  }, warmupSeconds * 1000);
  let requests = 0;
  let errors = 0;
  const loop = async (): Promise<void> => {
    for (;;) {
      const started = performance.now();
      if (started >= to) return;
      try {
        const { statusCode, body } = await pool.request({ method: 'GET', path: origin.pathname });
        await body.dump();
        if (started >= from) {
          requests += 1;
          if (statusCode >= 400) errors += 1;
        }
      } catch {
        if (started >= from) errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  await pool.close();
  return { requests, errors, seconds, perSecond: requests / seconds, cpuSeconds };
}

if (import.meta.main) {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { think: { type: 'string' }, rate: { type: 'string' } } });
  const [tool, url, users, seconds, warmup] = positionals;
  if (url === undefined || users === undefined || seconds === undefined || warmup === undefined) {
    process.stderr.write('usage: throughput-clients.ts driver|undici URL USERS SECONDS WARMUP [--think MS] [--rate R]\n');
    process.exit(2);
  }
  const figures =
    tool === 'driver'
      ? await driverFigures(url, { users: Number(users), seconds: Number(seconds), warmupSeconds: Number(warmup), thinkMs: values.think === undefined ? 0 : Number(values.think), rate: values.rate })
      : await undiciFigures(url, Number(users), Number(seconds), Number(warmup));
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
