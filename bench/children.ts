// Every process the bench starts goes through here, so that every one of them is ended however
// the bench ends: normally, on an exception, on Ctrl-C or SIGTERM. A server left behind would
// hold a core and skew the next measurement (or someone else's).
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

const running = new Set<ChildProcess>();
const cleanups = new Set<() => void>();

function endAll(signal: NodeJS.Signals): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

// SIGTERM, not SIGKILL: nginx's master ends its worker on SIGTERM, and would orphan it on SIGKILL.
process.on('exit', () => {
  endAll('SIGTERM');
  for (const cleanup of cleanups) cleanup();
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    endAll('SIGTERM');
    process.exit(130);
  });
}

let boosted = false;

/**
 * Runs every process started from now on in its own scheduler group at nice -20 (as root). This
 * machine is shared and Linux's autogroups share a core between sessions, not processes, so a
 * pinned tool otherwise gets a fraction of its core when a neighbour builds or tests; boosted,
 * it gets nearly all of it. Others slow down meanwhile: use it for short runs (`--boost`).
 */
export function boostPriority(): void {
  boosted = true;
}

/** Runs `cleanup` (synchronous: removing a temporary directory) when the bench exits, unless dropped first. */
export function atExit(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Starts `command` (tracked until it exits); stderr is kept for error messages. */
export function start(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const [file, argv] = boosted ? ['setsid', ['sh', '-c', 'echo -20 > /proc/self/autogroup 2>/dev/null; exec "$@"', 'sh', command, ...args]] : [command, args];
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => running.delete(child));
  return child;
}

/** Ends `child` (SIGTERM, then SIGKILL after `graceMs`) and waits for it to exit. */
export async function stop(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` to its end (killed after `timeoutMs`), collecting its output. */
export function run(command: string, args: readonly string[], timeoutMs: number, options: SpawnOptions = {}, onSpawn?: (child: ChildProcess) => void): Promise<Finished> {
  const child = start(command, args, options);
  onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `command` to its end and returns stdout, or throws with its stderr. */
export async function runOk(command: string, args: readonly string[], timeoutMs: number, options: SpawnOptions = {}): Promise<string> {
  const finished = await run(command, args, timeoutMs, options);
  if (finished.code !== 0) {
    const why = finished.signal ? `killed by ${finished.signal}` : `exit code ${finished.code}`;
    throw new Error(`${command} ${args.join(' ')}: ${why}\n${finished.stderr.trim().split('\n').slice(-10).join('\n')}`);
  }
  return finished.stdout;
}

/** The path of `command` on PATH, or undefined. */
export function which(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}
