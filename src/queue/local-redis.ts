// A Redis server of our own for a run without one: `migrascope run` without --redis, the demo and
// the tests start redis-server on a free loopback port, with its data in a temporary directory,
// and stop it afterwards. Persistence stays on (appendonly, flushed every second and at shutdown),
// so a killed engine restarted against the same server finds its jobs and recorded seconds, and so
// does a server restarted on the same directory. Should the process that started it die without
// stopping it (SIGKILL), a watchdog stops it and removes its data within a second or two: Redis
// has no setting of its own to follow its parent, and it runs in a process group of its own.
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { freeLoopbackPort, waitForPort } from '../loopback/index.ts';

export interface LocalRedis {
  url: string;
  port: number;
  dataDir: string;
  /** The running redis-server (a new one after restart). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
  /** Stops the server (its data flushed to disk) and, `downMs` later, starts another on the same port and data. */
  restart(downMs?: number): Promise<void>;
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
  /** A configuration file read first (a Sentinel's: Sentinel rewrites it as it learns the set). */
  configFile?: string;
  /** More settings after ours, which they override: ['--cluster-enabled', 'yes'], ['--sentinel']. */
  args?: string[];
}

export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const port = options.port ?? (await freeLoopbackPort());
  const dataDir = await mkdtemp(join(tmpdir(), 'migrascope-redis-'));
  let server = await startServer(port, dataDir, options).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const stopServer = async (): Promise<void> => {
    const { child, watchdog } = server;
    watchdog.kill('SIGKILL');
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(kill);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dataDir,
    get pid() {
      return server.child.pid;
    },
    killNow: () => {
      const { child, watchdog } = server;
      watchdog.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
    stop: async () => {
      await stopServer();
      if (!options.keepData) await rm(dataDir, { recursive: true, force: true });
    },
    restart: async (downMs = 0) => {
      await stopServer();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      server = await startServer(port, dataDir, options);
    },
  };
}

interface Server {
  child: ChildProcessByStdio<null, Readable, Readable>;
  watchdog: ChildProcess;
}

async function startServer(port: number, dataDir: string, options: LocalRedisOptions): Promise<Server> {
  const binary = options.binary ?? 'redis-server';
  const child = spawn(
    binary,
    [
      ...(options.configFile ? [options.configFile] : []),
      ...['--bind', '127.0.0.1', '--port', String(port), '--dir', dataDir, '--appendonly', 'yes', '--save', '', '--protected-mode', 'yes'],
      ...(options.args ?? []),
    ],
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
  await Promise.race([waitForPort(port, options.startTimeoutMs ?? 10_000, `redis-server on port ${port}`), spawnFailure]).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  spawnFailure.catch(() => undefined); // an exit after start-up is expected (stop) and not an error
  return { child, watchdog: startWatchdog(child.pid!, options.keepData ? undefined : dataDir) };
}

/**
 * A shell in a process group of its own that looks every second whether this process and the
 * server are still there; once this process is gone, it stops the server (SIGTERM, SIGKILL after
 * 10 s) and removes its data. It ends by itself when the server is stopped the ordinary way.
 */
function startWatchdog(serverPid: number, dataDir: string | undefined): ChildProcess {
  const script = [
    'parent=$1 server=$2 dir=$3',
    'while kill -0 "$parent" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 1; done',
    'kill -0 "$parent" 2>/dev/null && exit 0',
    'kill -TERM "$server" 2>/dev/null',
    'n=0; while kill -0 "$server" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done',
    'kill -KILL "$server" 2>/dev/null',
    '[ -n "$dir" ] && rm -rf "$dir"',
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script, 'migrascope-redis-watchdog', String(process.pid), String(serverPid), dataDir ?? ''], { detached: true, stdio: 'ignore' });
  watchdog.on('error', () => undefined); // no sh: the server is still stopped by stop(), only not after a SIGKILL
  watchdog.unref();
  return watchdog;
}
