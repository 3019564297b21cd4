// One side of the memory figure, run as its own process (so that each starts from a clean heap):
// USERS closed-loop users with a negative-exponential think time of THINK_MS, joining over
// RAMP_MS against URL through at most CONNECTIONS keep-alive connections (the same for both
// sides: sockets are not users); once all have joined and done their first action, the process
// collects garbage and prints how much its resident set and heap grew since before the users
// existed.
//
//   node --expose-gc bench/users-memory-client.ts driver|naive URL USERS THINK_MS RAMP_MS CONNECTIONS
//
// `driver` is our load driver (runLoad). `naive` is the peer: what one writes without thinking
// about memory, an async loop per user awaiting undici's Pool.request and a setTimeout.
import { Pool } from 'undici';
import { runLoad } from '../src/load/index.ts';
import { compileProfile, parseProfileDocument } from '../src/workloads/index.ts';

export interface MemoryFigures {
  users: number;
  connections: number;
  /** Actions completed when measured (every user has done at least one). */
  actions: number;
  rssBytes: number;
  heapBytes: number;
  /** Growth of the resident set / of the V8 heap (+ external buffers) per user. */
  rssPerUser: number;
  heapPerUser: number;
}

interface Baseline {
  rss: number;
  heap: number;
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  gc();
}

function baseline(): Baseline {
  collect();
  const memory = process.memoryUsage();
  return { rss: memory.rss, heap: memory.heapUsed + memory.external };
}

function figuresSince(before: Baseline, users: number, connections: number, actions: number): MemoryFigures {
  collect();
  const memory = process.memoryUsage();
  if (process.env.BENCH_DEBUG) process.stderr.write(`${JSON.stringify(memory)}\n`);
  const rssBytes = memory.rss - before.rss;
  const heapBytes = memory.heapUsed + memory.external - before.heap;
  return { users, connections, actions, rssBytes, heapBytes, rssPerUser: rssBytes / users, heapPerUser: heapBytes / users };
}

/** Resolves once `joined()` says every user has acted (checked every 100 ms), or rejects at `deadline`. */
function allJoined(joined: () => boolean, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = setInterval(() => {
      if (joined()) {
        clearInterval(check);
        resolve();
      } else if (Date.now() > deadline) {
        clearInterval(check);
        reject(new Error('not every user had acted by the deadline (is the server answering?)'));
      }
    }, 100);
  });
}

async function driver(url: string, users: number, thinkMs: number, rampMs: number, connections: number): Promise<MemoryFigures> {
  const profile = compileProfile(
    parseProfileDocument({
      name: 'bench-memory',
      think: { distribution: 'negexp', mode: 'think', mean: thinkMs },
      actions: [{ name: 'Get', requests: [{ path: '/' }] }],
    }),
  );
  const before = baseline();
  let actions = 0;
  // Measured while the run goes on; the process exits after printing, so the run is not awaited.
  const run = runLoad({
    url,
    profile,
    users,
    maxConnections: connections,
    plan: { rampUpMs: rampMs, steadyMs: 10 * thinkMs, rampDownMs: 0 },
    onProgress: (progress) => (actions = progress.completed),
  });
  await Promise.race([allJoined(() => actions >= users, Date.now() + rampMs + 30_000), run.then(() => Promise.reject(new Error('the run ended before it was measured')))]);
  return figuresSince(before, users, connections, actions);
}

async function naive(url: string, users: number, thinkMs: number, rampMs: number, connections: number): Promise<MemoryFigures> {
  const origin = new URL(url);
  const before = baseline();
  const pool = new Pool(origin.origin, { connections });
  let stopped = false;
  let actions = 0;
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const user = async (i: number): Promise<void> => {
    await sleep((rampMs * i) / users);
    while (!stopped) {
      try {
        const { body } = await pool.request({ method: 'GET', path: origin.pathname });
        await body.dump();
      } catch {
        // An error is an outcome like any other here: the memory, not the answers, is measured.
      }
      actions += 1;
      await sleep(Math.min(-thinkMs * Math.log(1 - Math.random()), 5 * thinkMs));
    }
  };
  const loops = Array.from({ length: users }, (_, i) => user(i));
  await allJoined(() => actions >= users, Date.now() + rampMs + 30_000);
  const figures = figuresSince(before, users, connections, actions);
  stopped = true;
  // The loops would end at their next wake-up (up to 5 think times away); the process exits first.
  void Promise.allSettled(loops);
  return figures;
}

if (import.meta.main) {
  const [mode, url, users, thinkMs, rampMs, connections] = process.argv.slice(2);
  if (url === undefined || users === undefined || thinkMs === undefined || rampMs === undefined || connections === undefined) {
    process.stderr.write('usage: node --expose-gc users-memory-client.ts driver|naive URL USERS THINK_MS RAMP_MS CONNECTIONS\n');
    process.exit(2);
  }
  const measure = mode === 'naive' ? naive : driver;
  const figures = await measure(url, Number(users), Number(thinkMs), Number(rampMs), Number(connections));
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  // Both sides are still running (users thinking): end here rather than wait minutes for them.
  process.exit(0);
}
