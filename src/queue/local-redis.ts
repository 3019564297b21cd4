// A Redis server of our own for a run without one: `migrascope run` without --redis, the demo and
// the tests start redis-server on a free loopback port, with its data in a temporary directory,
// and stop it afterwards. Persistence stays on (appendonly), so a killed engine restarted against
// the same server finds its jobs and recorded seconds.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, waitForPort } from '../loopback/index.ts';

export interface LocalRedis {
  url: string;
  port: number;
  dataDir: string;
  pid: number | undefined;
  stop(): Promise<void>;
  /** SIGKILL now and remove the data (unless kept), without waiting (a second Ctrl-C). */
  killNow(): void;
}

export interface LocalRedisOptions {
  /** redis-server binary (default: from PATH; `make deps` installs Debian's redis-server). */
  binary?: string;
  port?: number;
  /** Keep the data directory after stop (default: removed). */
  keepData?: boolean;
  startTimeoutMs?: number;
}

export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const binary = options.binary ?? 'redis-server';
  const port = options.port ?? (await freeLoopbackPort());
  const dataDir = await mkdtemp(join(tmpdir(), 'migrascope-redis-'));
  const child = spawn(
    binary,
    ['--bind', '127.0.0.1', '--port', String(port), '--dir', dataDir, '--appendonly', 'yes', '--save', '', '--protected-mode', 'yes'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const spawnFailure = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'ENOENT'
            ? `cannot start ${binary}: not installed (run 'make deps', or pass --redis URL)`
            : `cannot start ${binary}: ${error.message}`,
        ),
      ),
    );
    child.once('exit', (code) => reject(new Error(`${binary} exited with code ${code} before accepting connections:\n${output}`)));
  });
  await Promise.race([waitForPort(port, options.startTimeoutMs ?? 10_000, `redis-server on port ${port}`), spawnFailure]).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  spawnFailure.catch(() => undefined); // an exit after start-up is expected (stop) and not an error
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dataDir,
    pid: child.pid,
    killNow: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(kill);
      }
      if (!options.keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
