// `migrascope controller --metrics-series-grace`: read as a duration, refused (exit 2, naming the
// flag, before any kubeconfig or cluster is touched) when it is not one, and handed to the
// operator as the grace period of its metrics. The program's own main() runs in this process;
// only startOperator is replaced, so that nothing connects to a cluster (the command's own watch
// on Redis finds none: one test is about that).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Operator, OperatorOptions } from '../controller/operator.ts';
import { createLogger, setLogger } from '../log/index.ts';
import { main } from './main.ts';
import { UNREACHABLE_CLUSTER_KUBECONFIG as KUBECONFIG } from '../../test/support/kubeconfig.ts';

const started = vi.hoisted(() => [] as OperatorOptions[]);
/** How the next operator ends (default: done at once). */
const nextDone = vi.hoisted(() => ({ value: undefined as (() => Promise<void>) | undefined }));

vi.mock('../controller/operator.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../controller/operator.ts')>()),
  // An operator that is done at once: the command stops it and exits 0.
  startOperator: vi.fn(async (options: OperatorOptions): Promise<Operator> => {
    started.push(options);
    const done = nextDone.value?.() ?? Promise.resolve();
    nextDone.value = undefined;
    return { metricsUrl: undefined, done, stop: async () => undefined } as unknown as Operator;
  }),
}));

describe('Given `migrascope controller --metrics-series-grace`', () => {
  let dir: string;
  let kubeconfig: string;
  let stderr = '';
  let signalListeners: { SIGINT: NodeJS.SignalsListener[]; SIGTERM: NodeJS.SignalsListener[] };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'migrascope-controller-cli-'));
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, KUBECONFIG);
    setLogger(createLogger({ level: 'silent' }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    started.length = 0;
    stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  });
  afterEach(() => {
    vi.restoreAllMocks();
    // The command waits for SIGTERM beside the operator: take back what it left listening.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(signal)) if (!signalListeners[signal].includes(listener)) process.off(signal, listener);
    }
  });

  const run = (...args: string[]): Promise<number> => main(['node', 'migrascope', 'controller', '--kubeconfig', kubeconfig, ...args]);

  it('when it is a duration, then the operator gets metrics whose finished-experiment series stay that long', async () => {
    expect(await run('--metrics-series-grace', '2m30s')).toBe(0);
    expect(started).toHaveLength(1);
    expect(started[0]?.metrics?.seriesGraceMs).toBe(150_000);
  });

  it('when it is left out, then the grace period is 60 s (two scrapes at the usual interval)', async () => {
    expect(await run()).toBe(0);
    expect(started[0]?.metrics?.seriesGraceMs).toBe(60_000);
  });

  it.each(['soon', '-5s', '10 parsecs', ''])('when it is %j, then the command exits 2 naming the flag and starts no operator', async (value) => {
    expect(await run('--metrics-series-grace', value)).toBe(2);
    expect(stderr).toMatch(/^migrascope: --metrics-series-grace: /);
    expect(started).toEqual([]);
  });

  it('when it is bad and the kubeconfig unusable too, then the flag is what is refused, before the kubeconfig is read', async () => {
    expect(await main(['node', 'migrascope', 'controller', '--kubeconfig', join(dir, 'missing'), '--metrics-series-grace', 'soon'])).toBe(2);
    expect(stderr).toMatch(/--metrics-series-grace: cannot read "soon" as a duration/);
    expect(stderr).not.toMatch(/--kubeconfig/);
  });
});

describe('Given `migrascope controller` exit codes (0 success, 1 failure)', () => {
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'migrascope-controller-exit-'));
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, KUBECONFIG);
    setLogger(createLogger({ level: 'silent' }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when the operator fails, then main() returns 1 (the action\'s code is not overwritten with 0)', async () => {
    nextDone.value = () => Promise.reject(new Error('the informer gave up'));
    const listeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    try {
      expect(await main(['node', 'migrascope', 'controller', '--kubeconfig', kubeconfig])).toBe(1);
    } finally {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        for (const listener of process.listeners(signal)) if (!listeners[signal].includes(listener)) process.off(signal, listener);
      }
    }
  });

  it('when Redis stays unreachable past MIGRASCOPE_REDIS_TIMEOUT, then it stops the operator and main() returns 1 (no endless retry)', async () => {
    nextDone.value = () => new Promise(() => undefined); // an operator that would run forever
    const listeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve)); // a port nothing listens on
    vi.stubEnv('MIGRASCOPE_REDIS_TIMEOUT', '1s');
    const started = Date.now();
    try {
      expect(await main(['node', 'migrascope', 'controller', '--kubeconfig', kubeconfig, '--redis', `redis://127.0.0.1:${port}`])).toBe(1);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      vi.unstubAllEnvs();
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        for (const listener of process.listeners(signal)) if (!listeners[signal].includes(listener)) process.off(signal, listener);
      }
    }
  });

  it('when MIGRASCOPE_REDIS_TIMEOUT is not a duration, then it exits 2 naming it and starts no operator', async () => {
    vi.stubEnv('MIGRASCOPE_REDIS_TIMEOUT', 'a while');
    const before = started.length;
    try {
      expect(await main(['node', 'migrascope', 'controller', '--kubeconfig', kubeconfig])).toBe(2);
      expect(started).toHaveLength(before);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('when the operator is done, then main() returns 0', async () => {
    const listeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    try {
      expect(await main(['node', 'migrascope', 'controller', '--kubeconfig', kubeconfig])).toBe(0);
    } finally {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        for (const listener of process.listeners(signal)) if (!listeners[signal].includes(listener)) process.off(signal, listener);
      }
    }
  });
});
