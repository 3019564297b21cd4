// The image, built from the Dockerfile and run for real: buildah builds it (from the local base of
// scripts/image-base.sh, made like node:24-bookworm-slim), then `migrascope controller` and
// `migrascope worker` run from its root filesystem as its user, the root read-only and only the
// chart's volumes writable (a tmpfs /tmp, the results directory), each under the service account
// of the shipped RBAC mounted where a pod has it, against the test kube-apiserver, Redis and the
// testbed: an experiment reaches Succeeded. The image holds what it should and nothing else.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyShippedRbac, type ShippedIdentity, type ShippedRbac } from '../support/rbac.ts';
import { buildImage, runFromImage, type BuiltImage, type RunOptions } from '../support/image.ts';
import type { RunningProcess } from '../support/processes.ts';
import { at, experimentManifest, startClusterHarness, type ClusterHarness } from './controller-cluster.ts';

const root = join(import.meta.dirname, '..', '..');
const OPERATOR_NAMESPACE = 'migrascope-system';
const SERVICE_ACCOUNT_DIR = '/run/secrets/kubernetes.io/serviceaccount';
const RESULTS_DIR = '/var/lib/migrascope/results';
/** Measured 437 MB (311 MB of it the local base, Node.js alone 121 MB); the bound leaves ~15 %. */
const MAX_IMAGE_BYTES = 500e6;
// A case may wait for a whole run (up to 180 s on a loaded machine).
vi.setConfig({ testTimeout: 240_000 });

let image: BuiltImage;
let harness: ClusterHarness;
let rbac: ShippedRbac;
let dir: string;
let controller: RunningProcess;
let worker: RunningProcess;

/** What a pod of the chart gets: its service account's token where client-node looks, /tmp and the results volume writable. */
function podOf(identity: ShippedIdentity, name: string): RunOptions {
  const account = join(dir, `${name}-serviceaccount`);
  mkdirSync(account);
  writeFileSync(join(account, 'token'), identity.token);
  writeFileSync(join(account, 'namespace'), OPERATOR_NAMESPACE);
  copyFileSync(harness.plane.caFile, join(account, 'ca.crt'));
  for (const file of readdirSync(account)) chmodSync(join(account, file), 0o644);
  chmodSync(account, 0o755);
  const results = join(dir, `${name}-results`);
  mkdirSync(results);
  chownSync(results, 1000, 1000);
  const apiserver = new URL(harness.plane.url);
  return {
    volumes: [
      { source: account, target: SERVICE_ACCOUNT_DIR, readOnly: true },
      { source: results, target: RESULTS_DIR },
    ],
    env: { KUBERNETES_SERVICE_HOST: apiserver.hostname, KUBERNETES_SERVICE_PORT: apiserver.port, POD_NAME: `migrascope-${name}-0`, POD_NAMESPACE: OPERATOR_NAMESPACE },
  };
}

/** Every path under `top` (relative to it), without following links. */
function walk(top: string): string[] {
  return readdirSync(top, { recursive: true, encoding: 'utf8' });
}

beforeAll(async () => {
  const started = Date.now();
  image = await buildImage();
  console.log(
    `image ${image.name}: ${(image.sizeBytes / 1e6).toFixed(0)} MB (base ${(image.baseBytes / 1e6).toFixed(0)} MB, the Dockerfile's own layers ${((image.sizeBytes - image.baseBytes) / 1e6).toFixed(0)} MB), built in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  harness = await startClusterHarness();
  rbac = await applyShippedRbac(harness.plane, OPERATOR_NAMESPACE, { watchNamespaces: [harness.namespace] });
  await harness.stopWorkers();
  dir = mkdtempSync(join(tmpdir(), 'migrascope-image-'));
  chmodSync(dir, 0o755);
  worker = runFromImage(image, ['worker', '--redis', harness.redis.url, '--prefix', harness.prefix, '--metrics-port', '0', '--metrics-bind-address', '127.0.0.1'], podOf(rbac.worker, 'worker'));
  controller = runFromImage(
    image,
    ['controller', '--redis', harness.redis.url, '--prefix', harness.prefix, '--namespace', harness.namespace, '--leader-elect', '--lease-name', rbac.leaseName, '--metrics-port', '0', '--metrics-bind-address', '127.0.0.1'],
    podOf(rbac.controller, 'controller'),
  );
});

afterAll(async () => {
  await controller?.stop();
  await worker?.stop();
  await harness?.close();
  await image?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Given the image built from the Dockerfile', () => {
  it('then its size is bounded', () => {
    expect(image.sizeBytes).toBeLessThan(MAX_IMAGE_BYTES);
  });

  it('then it carries the OCI labels (source, version, revision), runs as 1000:1000 and starts the controller by default', () => {
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const revision = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    expect(image.config.Labels).toMatchObject({ 'org.opencontainers.image.version': version, 'org.opencontainers.image.revision': revision });
    expect(image.config.Labels['org.opencontainers.image.source']).toMatch(/\S/);
    expect(image.config.User).toBe('1000:1000');
    expect(image.config.Cmd).toEqual(['controller']);
  });

  it('then it holds the production dependencies and src/ only: no devDependency, no npm cache, no test, no credential', () => {
    const app = join(image.rootfs, 'app');
    const modules = readdirSync(join(app, 'node_modules'));
    expect(modules).toContain('bullmq');
    // What the lockfile marks dev: needed only by a devDependency (@types/node is not: client-node needs it).
    const locked = (JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> }).packages;
    const devOnly = Object.keys(locked).filter((path) => locked[path]?.dev === true);
    expect(devOnly.length).toBeGreaterThan(100);
    expect(devOnly.filter((path) => existsSync(join(app, path)))).toEqual([]);
    expect(modules.filter((name) => ['vitest', 'typescript', 'eslint', 'autocannon', 'playwright-core', '@vitest'].includes(name))).toEqual([]);
    expect(readdirSync(app).sort()).toEqual(['node_modules', 'package-lock.json', 'package.json', 'src']);
    expect(walk(join(app, 'src')).filter((path) => /\.test\.ts$|(^|\/)testing(\/|$)/.test(path))).toEqual([]);
    for (const home of ['root', 'home/node']) {
      const files = existsSync(join(image.rootfs, home)) ? readdirSync(join(image.rootfs, home)) : [];
      expect(files.filter((name) => ['.npm', '.npmrc', '.kube', '.ssh', '.docker', '.config'].includes(name)), home).toEqual([]);
    }
    const secrets = walk(app).filter((path) => /(^|\/)(\.npmrc|\.env|kubeconfig|id_rsa|id_ed25519)$|\.(key|pem)$/.test(path) && !path.includes('node_modules/'));
    expect(secrets).toEqual([]);
    // The npm CA went in as a build secret, not as a file.
    expect(existsSync(join(image.rootfs, 'run', 'secrets', 'ca'))).toBe(false);
  });

  it('when a process runs from it, then it is uid 1000, / is read-only and only /tmp and the results volume are writable', async () => {
    const probe = runFromImage(
      image,
      ['-c', `id -u; touch /app/probe 2>&1 || true; touch /probe 2>&1 || true; touch /tmp/probe && echo tmp writable; touch ${RESULTS_DIR}/probe && echo results writable`],
      { ...podOf(rbac.worker, 'probe'), entrypoint: ['/bin/sh'] },
    );
    const code = await new Promise<number | null>((resolve) => probe.child.once('exit', resolve));
    const output = probe.output();
    expect(code, output).toBe(0);
    expect(output.split('\n')[0]).toBe('1000');
    expect(output).toMatch(/touch: cannot touch '\/app\/probe': Read-only file system/);
    expect(output).toMatch(/touch: cannot touch '\/probe': Read-only file system/);
    expect(output).toContain('tmp writable');
    expect(output).toContain('results writable');
    expect(existsSync(join(image.rootfs, 'app', 'probe'))).toBe(false);
  });

  it('when the controller and the worker run from it under the shipped RBAC, then an experiment reaches Succeeded', async () => {
    const before = harness.migrations.length;
    await harness.create('MigrationExperiment', experimentManifest(harness, 'from-image'));
    const done = await harness.eventually(
      'from-image Succeeded',
      async () => {
        for (const [name, process] of [['controller', controller], ['worker', worker]] as const) {
          if (process.child.exitCode !== null) throw new Error(`the ${name} exited ${process.child.exitCode}:\n${process.output().slice(-3000)}`);
        }
        const read = await harness.get('MigrationExperiment', 'from-image');
        const phase = at(read, 'status', 'phase');
        if (phase === 'Failed' || phase === 'Aborted') throw new Error(`ended ${String(phase)}: ${JSON.stringify(at(read, 'status', 'conditions'))}`);
        return phase === 'Succeeded' ? read : undefined;
      },
      180_000,
    );
    expect(at(done, 'status', 'summary', 'migrations')).toBe(1);
    expect(harness.migrations.length - before).toBe(1);
    expect(worker.output()).toContain('live migration done');
  });
});
