// Starting real servers (Redis, Prometheus, ...) for tests: a free loopback port, a temporary
// directory, a process that is killed (and its directory removed) when the test is done.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { freeLoopbackPort as freePort } from '../../src/loopback/index.ts';

export async function temporaryDirectory(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `migrascope-${prefix}-`));
}

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Spawns a server process; its output is kept to explain a failure. */
export function startProcess(command: string, args: string[], options: { cwd?: string; cleanup?: string[] } = {}): RunningProcess {
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.on('error', (error) => (output += `\nspawn ${command} failed: ${error.message}`));
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      for (const path of options.cleanup ?? []) await rm(path, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true or the time runs out, then explains what it waited for. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000, explain?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet: keep polling until the deadline, which reports the failure
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `\n${explain()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
