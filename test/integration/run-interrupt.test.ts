// Ctrl-C on `migrascope run` as a terminal sends it: SIGINT to the whole foreground process group.
// The run stops in order (load, engine, then the testbed and Redis), says what it stopped, keeps
// what was recorded, exits 130 and leaves nothing running. An unreachable --redis is an error after
// a bounded wait, and SIGINT during that wait exits 130 too.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.ts';
import { freePort, temporaryDirectory, waitFor } from '../support/processes.ts';
import { testbedPoolDocuments, twoHostTopology } from '../support/run-topology.ts';

const TOPOLOGY = twoHostTopology({ pool: 'run-interrupt', tls: true });

const RUN_FILE = `${testbedPoolDocuments({ tls: true })}---
apiVersion: migrascope.io/v1alpha1
kind: MigrationExperiment
metadata: { name: long }
spec:
  poolRef: { name: testbed }
  target: { vm: { nameLabel: web }, applicationUrl: 'http://web.testbed.local/', probeUrl: 'http://web.testbed.local/healthz' }
  workload: { users: 5, drivers: 1, thinkTime: { mean: 500ms }, rampUp: 1s, steadyState: 10m, rampDown: 1s }
  sla: { window: 3s, step: 1s }
  migrations: { offsets: [9m], destination: { policy: mostFreeMemory }, timeout: 1m }
`;

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** The command in a process group of its own, as a shell starts a foreground job. */
function startInGroup(args: string[], env: Record<string, string> = {}) {
  const child = spawn(BIN, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'info', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = Date.now();
  const exited = new Promise<Exited>((resolve) =>
    child.once('exit', (code, signal) => {
      // Let the pipes drain.
      setTimeout(() => resolve({ code, signal, stdout, stderr, seconds: (Date.now() - started) / 1000 }), 200);
    }),
  );
  return { pid: child.pid!, exited, output: () => stdout + stderr };
}

/** Every process below pid, by walking ps's parent column. */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, ppid] of table) {
      if (ppid !== parent) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function interruptGroup(pid: number): void {
  process.kill(-pid, 'SIGINT');
}

async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('given `migrascope run` in a process group of its own, as a terminal starts it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await temporaryDirectory('run-interrupt');
    await writeFile(join(dir, 'topology.yaml'), TOPOLOGY);
    await writeFile(join(dir, 'run.yaml'), RUN_FILE);
  });

  it('when Ctrl-C reaches the whole group mid-run, then it stops in order, exits 130, keeps the JSON and leaves nothing running', async () => {
    const json = join(dir, 'interrupted.json');
    const run = startInGroup(['run', join(dir, 'run.yaml'), '--testbed', '--testbed-config', join(dir, 'topology.yaml'), '--results-dir', join(dir, 'results'), '--json', json, '--no-progress']);
    try {
      await waitFor('the run to start its load', async () => /load|shard|run 1/i.test(run.output()) && descendants(run.pid).length >= 2, 120_000, run.output);
      // A few seconds of load so there is something recorded.
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const children = descendants(run.pid);
      expect(children.length).toBeGreaterThanOrEqual(2); // the testbed and redis-server at least
      const redisDirs = /"url":"redis:\/\/127\.0\.0\.1:(\d+)"/.exec(run.output());
      interruptGroup(run.pid);
      const exited = await within(60_000, run.exited, 'exit after SIGINT');
      expect(exited, exited.stderr).toMatchObject({ code: 130 });
      expect(exited.stderr).toMatch(/interrupted/i);
      expect(exited.stderr).toMatch(/stopped.*testbed/i);
      expect(exited.stderr).toMatch(/stopped.*redis/i);
      await waitFor('no child left', async () => children.every((pid) => !alive(pid)), 5000, () => `alive: ${children.filter(alive).join(', ')}`);
      if (redisDirs) {
        const port = Number(redisDirs[1]);
        expect(execFileSync('ps', ['-e', '-o', 'args='], { encoding: 'utf8' })).not.toContain(`--port ${port} `);
      }
      const statuses = JSON.parse(await readFile(json, 'utf8')) as { experiments: { name: string; status: { phase: string } }[] };
      expect(statuses.experiments[0]).toMatchObject({ name: 'long', status: { phase: 'Aborted' } });
      expect(exited.stdout).toMatch(/long: Aborted/);
    } finally {
      for (const pid of [run.pid, ...descendants(run.pid)]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('when Ctrl-C comes twice, then it stops at once, exits 130 and still leaves nothing running', async () => {
    const run = startInGroup(['run', join(dir, 'run.yaml'), '--testbed', '--testbed-config', join(dir, 'topology.yaml'), '--results-dir', join(dir, 'results'), '--no-progress']);
    try {
      await waitFor('the run to start its load', async () => /load|shard|run 1/i.test(run.output()) && descendants(run.pid).length >= 2, 120_000, run.output);
      const children = descendants(run.pid);
      interruptGroup(run.pid);
      await new Promise((resolve) => setTimeout(resolve, 50));
      interruptGroup(run.pid);
      const exited = await within(15_000, run.exited, 'exit after two SIGINTs');
      expect(exited.code, exited.stderr).toBe(130);
      await waitFor('no child left', async () => children.every((pid) => !alive(pid)), 5000, () => `alive: ${children.filter(alive).join(', ')}`);
    } finally {
      for (const pid of [run.pid, ...descendants(run.pid)]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('when its Redis dies mid-run, then it fails (exit 1) within a bound naming the lost Redis, keeps the JSON and leaves nothing running', async () => {
    const json = join(dir, 'lost.json');
    const run = startInGroup(['run', join(dir, 'run.yaml'), '--testbed', '--testbed-config', join(dir, 'topology.yaml'), '--results-dir', join(dir, 'results'), '--json', json, '--no-progress'], { MIGRASCOPE_REDIS_TIMEOUT: '3s' });
    try {
      await waitFor('the run to start its load', async () => /load|shard|run 1/i.test(run.output()) && descendants(run.pid).length >= 2, 120_000, run.output);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const children = descendants(run.pid);
      const args = (pid: number): string => execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
      const redisPid = children.find((pid) => args(pid).includes('redis-server'));
      expect(redisPid, run.output()).toBeDefined();
      process.kill(redisPid!, 'SIGKILL');
      const exited = await within(90_000, run.exited, 'exit after losing Redis');
      expect(exited.code, exited.stderr).toBe(1);
      expect(exited.stderr).toMatch(/lost Redis at redis:\/\/127\.0\.0\.1:\d+/);
      await waitFor('no child left', async () => children.every((pid) => !alive(pid)), 5000, () => `alive: ${children.filter(alive).join(', ')}`);
      expect(JSON.parse(await readFile(json, 'utf8'))).toMatchObject({ experiments: [] });
    } finally {
      for (const pid of [run.pid, ...descendants(run.pid)]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('when the command itself is SIGKILLed, then its testbed and its redis-server stop by themselves and the data is removed', async () => {
    const run = startInGroup(['run', join(dir, 'run.yaml'), '--testbed', '--testbed-config', join(dir, 'topology.yaml'), '--results-dir', join(dir, 'results'), '--no-progress']);
    const children = await (async () => {
      await waitFor('the run to start its load', async () => /load|shard|run 1/i.test(run.output()) && descendants(run.pid).length >= 2, 120_000, run.output);
      return descendants(run.pid);
    })();
    const args = (pid: number): string => execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    const testbedPid = children.find((pid) => args(pid).includes(' testbed '));
    const redisPid = children.find((pid) => args(pid).includes('redis-server'));
    try {
      expect(testbedPid, children.map(args).join('')).toBeDefined();
      expect(redisPid, children.map(args).join('')).toBeDefined();
      // redis-server rewrites its command line, but works in its data directory (--dir).
      const redisDir = readlinkSync(`/proc/${redisPid}/cwd`);
      expect(redisDir).toMatch(/migrascope-redis-/);
      process.kill(run.pid, 'SIGKILL');
      await waitFor('the testbed to stop by itself', async () => !alive(testbedPid!), 15_000);
      await waitFor('redis-server to stop by itself', async () => !alive(redisPid!), 15_000);
      await waitFor("redis-server's data to be removed", async () => !existsSync(redisDir!), 15_000);
    } finally {
      for (const pid of children) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('when --redis names a closed port, then it exits 1 within a bound with a message naming it', async () => {
    const port = await freePort();
    const run = startInGroup(['run', join(dir, 'run.yaml'), '--redis', `redis://127.0.0.1:${port}`, '--no-progress'], { MIGRASCOPE_LOG_LEVEL: 'warn', MIGRASCOPE_REDIS_TIMEOUT: '3s' });
    try {
      const exited = await within(30_000, run.exited, 'exit with an unreachable Redis');
      expect(exited.code).toBe(1);
      expect(exited.stderr).toContain(`redis://127.0.0.1:${port}`);
      expect(exited.stderr).toMatch(/cannot reach Redis/i);
      expect(exited.stderr.split('\n').length).toBeLessThan(20); // no retry flood
    } finally {
      if (alive(run.pid)) process.kill(-run.pid, 'SIGKILL');
    }
  });

  it('when Ctrl-C comes while it waits for an unreachable --redis, then it exits 130 at once', async () => {
    const port = await freePort();
    const run = startInGroup(['run', join(dir, 'run.yaml'), '--redis', `redis://127.0.0.1:${port}`, '--no-progress'], { MIGRASCOPE_LOG_LEVEL: 'warn', MIGRASCOPE_REDIS_TIMEOUT: '5m' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      interruptGroup(run.pid);
      const exited = await within(15_000, run.exited, 'exit after SIGINT');
      expect(exited.code).toBe(130);
      expect(exited.stderr).toMatch(/interrupted/i);
    } finally {
      if (alive(run.pid)) process.kill(-run.pid, 'SIGKILL');
    }
  });
});

