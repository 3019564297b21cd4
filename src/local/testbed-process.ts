// The testbed in a process of its own for `migrascope run --testbed`: the reference application
// and the guest proxies then have their own event loop (and core), and the load driver measures
// the application, not its own process's contention with it. Started as `migrascope testbed
// --json`, whose one line describes it; stopped with SIGTERM. It runs in a process group of its
// own (detached): a Ctrl-C in the terminal reaches only the parent, which stops it in order, after
// the load and the engine that still use it. Should this process die without stopping it (SIGKILL),
// the testbed notices (MIGRASCOPE_STOP_WITH_PID) and stops itself within a second or two.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { TestbedDescription } from '../testbed/index.ts';

export interface TestbedProcess extends TestbedDescription {
  pid: number | undefined;
  stop(): Promise<void>;
  /** SIGKILL now, without waiting (a second Ctrl-C). */
  killNow(): void;
}

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

export async function startTestbedProcess(options: { config?: string | undefined; readyTimeoutMs?: number; signal?: AbortSignal } = {}): Promise<TestbedProcess> {
  const args = ['--disable-warning=ExperimentalWarning', MAIN, 'testbed', '--json', ...(options.config ? ['--config', options.config] : [])];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MIGRASCOPE_LOG_LEVEL: process.env.MIGRASCOPE_LOG_LEVEL ?? 'warn', MIGRASCOPE_STOP_WITH_PID: String(process.pid) } });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
    process.stderr.write(chunk);
  });
  const description = await new Promise<TestbedDescription>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the testbed did not start within ${options.readyTimeoutMs ?? 60_000} ms:\n${errors}`)), options.readyTimeoutMs ?? 60_000);
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as TestbedDescription);
      } catch {
        reject(new Error(`the testbed printed something other than its description: ${line}`));
      }
    });
    options.signal?.addEventListener('abort', () => reject(new Error('the testbed start was interrupted')), { once: true });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the testbed exited (code ${code}) before it was ready:\n${errors}`));
    });
  }).catch((error: unknown) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw error;
  });
  return {
    ...description,
    pid: child.pid,
    killNow: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
