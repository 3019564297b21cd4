// `migrascope worker` and a Redis that goes away: an outage shorter than MIGRASCOPE_REDIS_TIMEOUT
// is waited out and logged once when it begins and once when it ends; a longer one makes the
// worker exit 1 (Kubernetes restarts it, BullMQ hands its shards on), never retry silently forever.
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRedis, type LocalRedis } from '../../src/queue/local-redis.ts';
import { BIN } from '../support/cli.ts';
import { temporaryDirectory, waitFor } from '../support/processes.ts';
import { UNREACHABLE_CLUSTER_KUBECONFIG as KUBECONFIG } from '../support/kubeconfig.ts';

describe('given `migrascope worker` taking jobs from a Redis', () => {
  let redis: LocalRedis;
  let kubeconfig: string;
  beforeAll(async () => {
    redis = await startLocalRedis();
    kubeconfig = join(await temporaryDirectory('worker-redis'), 'kubeconfig');
    await writeFile(kubeconfig, KUBECONFIG);
  });
  afterAll(async () => redis?.stop());

  function startWorker(timeout: string) {
    const child = spawn(BIN, ['worker', '--kubeconfig', kubeconfig, '--redis', redis.url, '--prefix', 'worker-redis-test'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'info', MIGRASCOPE_REDIS_TIMEOUT: timeout },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited, stderr: () => stderr };
  }

  it('when Redis is restarted within the timeout, then the worker waits it out, logs the outage once and its end, and stays', async () => {
    const worker = startWorker('30s');
    try {
      await waitFor('the worker to start', async () => worker.stderr().includes('worker started'), 30_000, worker.stderr);
      expect(worker.stderr()).toContain('worker clock within bound of Redis');
      await redis.restart(3000);
      await waitFor('the worker to see Redis back', async () => worker.stderr().includes('Redis is back'), 30_000, worker.stderr);
      expect(worker.stderr().match(/lost Redis: reconnecting for up to 30 s/g)).toHaveLength(1);
      // Still taking jobs a while after: the outage did not end it.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(worker.child.exitCode, worker.stderr()).toBeNull();
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  it('when --max-clock-offset is not a duration, then the worker exits 2 naming the flag, before connecting', () => {
    const run = spawnSync(BIN, ['worker', '--kubeconfig', kubeconfig, '--redis', 'redis://127.0.0.1:1', '--max-clock-offset', 'soon'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain('--max-clock-offset');
    expect(run.stderr).toContain('cannot read "soon" as a duration');
  });

  it('when Redis stays away past the timeout, then the worker exits 1 naming the lost Redis, without a retry flood', async () => {
    const worker = startWorker('2s');
    try {
      await waitFor('the worker to start', async () => worker.stderr().includes('worker started'), 30_000, worker.stderr);
      const gone = Date.now();
      await redis.stop();
      const code = await Promise.race([worker.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
      expect(code, worker.stderr()).toBe(1);
      expect(Date.now() - gone).toBeGreaterThanOrEqual(2000);
      expect(worker.stderr()).toMatch(/lost Redis at redis:\/\/127\.0\.0\.1:\d+: not reachable for 2 s/);
      expect(worker.stderr().split('\n').length).toBeLessThan(20);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});
