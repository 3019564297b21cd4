// etcd for the control plane: one member on free loopback ports, its data in the harness's
// temporary directory, fsync off (throw-away test data; it makes etcd far faster on slow disks).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../src/loopback/index.ts';
import { SupervisedProcess } from './supervised-process.ts';

export interface RunningEtcd {
  clientUrl: string;
  process: SupervisedProcess;
}

const attempts = 3;

export async function startEtcd(binary: string, dir: string, timeoutMs: number): Promise<RunningEtcd> {
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const clientUrl = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const peerUrl = `http://127.0.0.1:${await freeLoopbackPort()}`;
    // A fresh data directory per attempt: a failed start may have written the old peer URL.
    const dataDir = join(dir, `etcd-data-${attempt}`);
    mkdirSync(dataDir, { recursive: true });
    const args = [
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      '--unsafe-no-fsync',
    ];
    const etcd = new SupervisedProcess('etcd', binary, args, join(dir, 'etcd.log'));
    try {
      await etcd.waitUntilReady(() => isHealthy(clientUrl), timeoutMs);
      return { clientUrl, process: etcd };
    } catch (error) {
      await etcd.stop();
      lastError = error as Error;
      // Another process may have taken a port between our probe and etcd's bind: try new ports.
      if (!/address already in use/.test(etcd.logTail())) throw lastError;
    }
  }
  throw lastError ?? new Error('etcd did not start');
}

async function isHealthy(clientUrl: string): Promise<boolean> {
  const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) return false;
  const body = (await response.json()) as { health?: string };
  return body.health === 'true';
}
