// Simulated closed-loop users held per GiB: N users with a 60 s think time against nginx, our
// driver and a naive peer (an async loop per user) each in a fresh process, measured once every
// user has joined and done its first action. Two figures per side: the V8 heap (+ external
// buffers) the users hold after a full garbage collection (what a user costs while it thinks),
// and the growth of the resident set (what the OS sees: it also keeps the high-water mark of
// the ramp-up's garbage, which V8 does not hand back at once; the conservative figure).
import { join } from 'node:path';
import { runOk } from './children.ts';
import { startNginx } from './nginx.ts';
import { CLIENT_CORE, SERVER_CORE } from './throughput.ts';
import type { MemoryFigures } from './users-memory-client.ts';

const GIB = 1024 ** 3;

export interface UsersMemoryFigures {
  users: number;
  thinkMs: number;
  rampMs: number;
  connections: number;
  driver: MemoryFigures & { usersPerGibHeap: number; usersPerGibRss: number };
  naive: MemoryFigures & { usersPerGibHeap: number; usersPerGibRss: number };
  /** How many times more memory per user the naive peer needs. */
  ratios: { heap: number; rss: number };
}

export interface UsersMemoryOptions {
  users: number;
  thinkMs: number;
  rampMs: number;
  connections: number;
  log: (line: string) => void;
}

export async function measureUsersMemory(options: UsersMemoryOptions): Promise<UsersMemoryFigures | { skipped: string }> {
  const server = await startNginx(SERVER_CORE);
  if (typeof server === 'string') return { skipped: server };
  const measure = async (mode: 'driver' | 'naive') => {
    const args = ['-c', String(CLIENT_CORE), process.execPath, '--expose-gc', join(import.meta.dirname, 'users-memory-client.ts'), mode, server.url];
    args.push(String(options.users), String(options.thinkMs), String(options.rampMs), String(options.connections));
    const stdout = await runOk('taskset', args, options.rampMs + 90_000);
    const figures = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as MemoryFigures;
    const withPerGib = { ...figures, usersPerGibHeap: GIB / figures.heapPerUser, usersPerGibRss: GIB / figures.rssPerUser };
    options.log(`  ${mode}: ${Math.round(figures.heapPerUser)} B heap, ${Math.round(figures.rssPerUser)} B resident per user`);
    return withPerGib;
  };
  try {
    const driver = await measure('driver');
    const naive = await measure('naive');
    return {
      users: options.users,
      thinkMs: options.thinkMs,
      rampMs: options.rampMs,
      connections: options.connections,
      driver,
      naive,
      ratios: { heap: naive.heapPerUser / driver.heapPerUser, rss: naive.rssPerUser / driver.rssPerUser },
    };
  } finally {
    await server.close();
  }
}
