// Accuracy: the driver's p90/p99 against the truth. A Node server on core 0 holds each response
// for a delay drawn from a seeded lognormal and records how long it really held each one (the
// truth, exact: every sample kept). The driver on core 1 runs closed-loop users without think
// time, so it works as hard as it can against that server, and reports its steady-state
// percentiles the way `migrascope load` does.
//
// Both sides count the same requests (the bench checks the counts), but what the client sees is
// the truth plus the trip: the request through loopback and the server's event loop before it
// is read, the response back through loopback and the client's own event loop. Two checks:
// - raw: the driver's percentile within 1% (or 1 ms) of the truth's, trip and all;
// - trip removed: the trip measured on its own in a zero-delay run with as many requests in
//   transit as the delayed run had (its users = rate x the delayed run's mean trip, no think
//   time, so no timer bunches them up), and its mean added to the truth. What is left is what the
//   driver adds or loses at the percentiles (HdrHistogram reports the top of a bucket: up to
//   0.1% above).
import { once } from 'node:events';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { runOk, start, stop } from './children.ts';
import type { TruthSamples } from './latency-server.ts';
import { CLIENT_CORE, SERVER_CORE } from './throughput.ts';
import type { ClientFigures } from './throughput-clients.ts';

export interface PercentileCheck {
  /** The driver's figure, ms. */
  driverMs: number;
  /** Server-side truth, exact nearest rank, ms. */
  truthMs: number;
  /** truth + the zero-delay run's mean trip, ms. */
  expectedMs: number;
  /** driver - expected, ms, and as a share of expected. */
  errorMs: number;
  errorShare: number;
  /** Within 1 % or 1 ms of expected. */
  within: boolean;
  /** driver - truth, ms, trip included; and whether that is within 1 % or 1 ms of the truth. */
  rawErrorMs: number;
  rawWithin: boolean;
}

export interface AccuracyFigures {
  distribution: { kind: 'lognormal'; medianMs: number; sigma: number; seed: number };
  users: number;
  seconds: number;
  requestsPerSecond: number;
  driverRequests: number;
  serverRequests: number;
  /** The zero-delay run: the trip alone as the driver sees it, ms. */
  trip: { users: number; requestsPerSecond: number; mean: number | null; p50: number | null; p90: number | null; p99: number | null };
  /** Drawn delays' percentiles (what the distribution asked for), ms. */
  drawn: { p50: number; p90: number; p99: number };
  /** Mean response time, driver vs truth, ms (a cross-check of the trip). */
  mean: { driverMs: number | null; truthMs: number };
  percentiles: Record<'50' | '90' | '99', PercentileCheck>;
}

export interface AccuracyOptions {
  users: number;
  seconds: number;
  warmup: number;
  medianMs: number;
  sigma: number;
  seed: number;
  log: (line: string) => void;
}

/** Nearest-rank percentile of unsorted samples (sorts a copy). */
export function nearestRank(samples: readonly number[], percentile: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[rank - 1]!;
}

function ask<T>(server: ChildProcess, message: object): Promise<T> {
  const answer = once(server, 'message') as Promise<[T]>;
  server.send(message);
  return answer.then(([value]) => value);
}

async function driverRun(url: string, options: AccuracyOptions, users: number): Promise<ClientFigures> {
  const script = join(import.meta.dirname, 'throughput-clients.ts');
  const args = ['-c', String(CLIENT_CORE), process.execPath, script, 'driver', url, String(users), String(options.seconds), String(options.warmup)];
  const stdout = await runOk('taskset', args, (options.seconds + options.warmup + 30) * 1000);
  return JSON.parse(stdout) as ClientFigures;
}

export async function measureAccuracy(options: AccuracyOptions): Promise<AccuracyFigures> {
  const script = join(import.meta.dirname, 'latency-server.ts');
  const server = start('taskset', ['-c', String(SERVER_CORE), process.execPath, script, String(options.medianMs), String(options.sigma), String(options.seed)], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  try {
    const [line] = (await once(server.stdout!, 'data')) as [Buffer];
    const { port } = JSON.parse(line.toString()) as { port: number };
    const url = `http://127.0.0.1:${port}/`;

    const run = await driverRun(url, options, options.users);
    const truth = await ask<TruthSamples>(server, { collect: [run.fromMs, run.toMs] });
    options.log(`  lognormal delays: ${Math.round(run.perSecond)} req/s, driver p90 ${run.p90} ms, p99 ${run.p99} ms`);
    const meanHeldMs = truth.heldUs.reduce((sum, us) => sum + us, 0) / truth.heldUs.length / 1000;

    // The trip alone, with as many requests in transit as above and the server answering at once.
    const tripUsers = Math.min(options.users, Math.max(1, Math.round((run.perSecond * ((run.mean ?? meanHeldMs) - meanHeldMs)) / 1000)));
    await ask(server, { delays: false, clear: true });
    const zero = await driverRun(url, options, tripUsers);
    options.log(`  zero delay, ${tripUsers} users: ${Math.round(zero.perSecond)} req/s, trip mean ${zero.mean?.toFixed(3)} ms, p99 ${zero.p99} ms`);

    const tripMs = zero.mean ?? 0;
    const check = (percentile: 50 | 90 | 99, driverMs: number | null | undefined): PercentileCheck => {
      const truthMs = nearestRank(truth.heldUs, percentile) / 1000;
      const expectedMs = truthMs + tripMs;
      const measured = driverMs ?? Number.NaN;
      const errorMs = measured - expectedMs;
      const rawErrorMs = measured - truthMs;
      return {
        driverMs: measured,
        truthMs,
        expectedMs,
        errorMs,
        errorShare: errorMs / expectedMs,
        within: Math.abs(errorMs) <= Math.max(0.01 * expectedMs, 1),
        rawErrorMs,
        rawWithin: Math.abs(rawErrorMs) <= Math.max(0.01 * truthMs, 1),
      };
    };
    return {
      distribution: { kind: 'lognormal', medianMs: options.medianMs, sigma: options.sigma, seed: options.seed },
      users: options.users,
      seconds: run.seconds,
      requestsPerSecond: run.perSecond,
      driverRequests: run.requests,
      serverRequests: truth.heldUs.length,
      trip: { users: tripUsers, requestsPerSecond: zero.perSecond, mean: zero.mean ?? null, p50: zero.p50 ?? null, p90: zero.p90 ?? null, p99: zero.p99 ?? null },
      drawn: { p50: nearestRank(truth.drawnUs, 50) / 1000, p90: nearestRank(truth.drawnUs, 90) / 1000, p99: nearestRank(truth.drawnUs, 99) / 1000 },
      mean: { driverMs: run.mean ?? null, truthMs: meanHeldMs },
      percentiles: { '50': check(50, run.p50), '90': check(90, run.p90), '99': check(99, run.p99) },
    };
  } finally {
    await stop(server);
  }
}
