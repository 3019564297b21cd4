// The testbed in a process of its own for `migrascope run --testbed`: the reference application
// and the guest proxies then have their own event loop (and core), and the load driver measures
// the application, not its own process's contention with it. Started as `migrascope testbed
// --json`, whose one line describes it; stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { TestbedDescription } from '../testbed/index.ts';

export interface TestbedProcess extends TestbedDescription {
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

export async function startTestbedProcess(options: { config?: string | undefined; readyTimeoutMs?: number } = {}): Promise<TestbedProcess> {
  const args = ['--disable-warning=ExperimentalWarning', MAIN, 'testbed', '--json', ...(options.config ? ['--config', options.config] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MIGRASCOPE_LOG_LEVEL: process.env.MIGRASCOPE_LOG_LEVEL ?? 'warn' } });
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
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the testbed exited (code ${code}) before it was ready:\n${errors}`));
    });
  });
  return {
    ...description,
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
