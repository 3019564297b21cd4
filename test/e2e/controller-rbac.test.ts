// `migrascope controller` as a separate process under a service-account token bound to exactly
// the RBAC the chart ships (watchNamespaces: two namespaces; secretNamespaces: only the first),
// with `migrascope worker` as a process under the worker's service account: it elects itself on its Lease, serves
// /readyz and /metrics, drives an experiment to Succeeded, and cannot read the Secret of the
// namespace it was not given; SIGTERM stops it and releases the Lease.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_VERSION } from '../../src/api/v1alpha1/index.ts';
import { KubeApiError, KubeClient } from '../../src/controller/runtime/index.ts';
import { applyShippedRbac, type ShippedRbac } from '../support/rbac.ts';
import type { RunningProcess } from '../support/processes.ts';
import { at, condition, experimentManifest, startClusterHarness, startMigrascope, type ClusterHarness, type Json } from './controller-cluster.ts';

const OPERATOR_NAMESPACE = 'migrascope-system';
// A case may wait for a whole run (up to 180 s on a loaded machine).
vi.setConfig({ testTimeout: 240_000 });
let harness: ClusterHarness;
let rbac: ShippedRbac;
let controller: RunningProcess;
let worker: RunningProcess;
let dir: string;
/** A watched namespace whose Secrets the operator was not given. */
let forbidden: string;

beforeAll(async () => {
  harness = await startClusterHarness();
  forbidden = `${harness.namespace}-nosecrets`;
  const admin = KubeClient.for(harness.admin);
  await admin.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: forbidden } });
  rbac = await applyShippedRbac(harness.plane, OPERATOR_NAMESPACE, { watchNamespaces: [harness.namespace, forbidden], secretNamespaces: [harness.namespace] });
  await harness.stopWorkers();

  // A pool in the namespace without Secret access, its Secret there as well.
  await admin.request('POST', `/api/v1/namespaces/${forbidden}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'xapi-credentials' },
    stringData: { username: harness.testbed.xapi.username, password: harness.testbed.xapi.password },
  });
  await admin.request('POST', `/apis/${API_VERSION}/namespaces/${forbidden}/xenpools`, {
    apiVersion: API_VERSION,
    kind: 'XenPool',
    metadata: { name: 'pool' },
    spec: { url: harness.testbed.xapi.url, credentialsSecretRef: { name: 'xapi-credentials' } },
  });

  dir = mkdtempSync(join(tmpdir(), 'migrascope-rbac-'));
  const kubeconfig = join(dir, 'controller.kubeconfig');
  harness.plane.writeKubeconfig(kubeconfig, rbac.controller.token, `system:serviceaccount:${OPERATOR_NAMESPACE}:${rbac.controller.serviceAccount}`);
  const workerKubeconfig = join(dir, 'worker.kubeconfig');
  harness.plane.writeKubeconfig(workerKubeconfig, rbac.worker.token, `system:serviceaccount:${OPERATOR_NAMESPACE}:${rbac.worker.serviceAccount}`);
  worker = startMigrascope(harness, 'worker', { kubeconfig: workerKubeconfig });
  controller = startMigrascope(harness, 'controller', {
    kubeconfig,
    args: ['--namespace', `${harness.namespace},${forbidden}`, '--leader-elect', '--lease-namespace', OPERATOR_NAMESPACE, '--lease-name', rbac.leaseName],
  });
});

afterAll(async () => {
  await controller?.stop();
  await worker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await harness?.close();
});

/** The URL the controller logged for its metrics server (JSON logs on stderr). */
async function metricsUrl(): Promise<string> {
  return harness.eventually(
    'the controller started',
    async () => {
      for (const line of controller.output().split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; metrics?: string };
        if (entry.msg === 'controller started' && entry.metrics) return entry.metrics;
      }
      if (controller.child.exitCode !== null) throw new Error(`the controller exited ${controller.child.exitCode}:\n${controller.output()}`);
      return undefined;
    },
    60_000,
  );
}

describe('Given the controller under the shipped RBAC of the chart', () => {
  it('then it becomes ready, holds the shipped Lease and serves controller metrics', async () => {
    const url = await metricsUrl();
    await harness.eventually('/readyz ok', async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 60_000);
    const lease = await KubeClient.for(harness.admin).request<Json>('GET', `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/${rbac.leaseName}`);
    expect(at(lease, 'spec', 'holderIdentity')).toMatch(/_/);
    await harness.eventually('a reconcile counted', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return /controller_runtime_reconcile_total\{controller="xenpool",result="[a-z_]+"\} [1-9]/.test(text) ? text : undefined;
    });
  });

  it('then it reads the Secret it was given: the pool connects', async () => {
    const pool = await harness.eventually('the pool connected', async () => {
      const read = await harness.get('XenPool', 'pool');
      return at(read, 'status', 'connected') === true ? read : undefined;
    });
    expect(condition(pool, 'Ready')?.status).toBe('True');
  });

  it('then it cannot read a Secret it was not given: that pool is Degraded, saying so, and the API server refuses the read', async () => {
    const pool = await harness.eventually('the forbidden pool reconciled', async () => {
      const read = await KubeClient.for(harness.admin).request<Json>('GET', `/apis/${API_VERSION}/namespaces/${forbidden}/xenpools/pool`);
      return condition(read, 'Degraded')?.status === 'True' ? read : undefined;
    });
    expect(at(pool, 'status', 'connected')).toBe(false);
    expect(condition(pool, 'Degraded')).toMatchObject({ reason: 'Forbidden' });
    expect(condition(pool, 'Degraded')?.message).toContain('may not read Secret "xapi-credentials"');
    const refused = await KubeClient.for(rbac.controller.kubeConfig)
      .request('GET', `/api/v1/namespaces/${forbidden}/secrets/xapi-credentials`)
      .then(() => 'read', (error: unknown) => (error instanceof KubeApiError ? error.status : String(error)));
    expect(refused).toBe(403);
  });

  it('then with `migrascope worker` under its own account it drives an experiment to Succeeded', async () => {
    const before = harness.migrations.length;
    await harness.create('MigrationExperiment', experimentManifest(harness, 'under-rbac'));
    const done = await harness.eventually(
      'under-rbac Succeeded',
      async () => {
        const read = await harness.get('MigrationExperiment', 'under-rbac');
        const phase = at(read, 'status', 'phase');
        if (phase === 'Failed' || phase === 'Aborted') throw new Error(`ended ${String(phase)}: ${JSON.stringify(at(read, 'status', 'conditions'))}`);
        return phase === 'Succeeded' ? read : undefined;
      },
      180_000,
    );
    expect(at(done, 'status', 'summary', 'migrations')).toBe(1);
    expect(harness.migrations.length - before).toBe(1);
    expect((await harness.events('under-rbac')).some((event) => event.startsWith('Normal MigrationSucceeded'))).toBe(true);
    expect(worker.output()).toContain('live migration done');
  });

  it('when the worker gets SIGTERM with no job running, then it exits 0', async () => {
    worker.child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => worker.child.once('exit', (exitCode) => resolve(exitCode)));
    expect(code, worker.output().slice(-3000)).toBe(0);
  });

  it('when the controller gets SIGTERM, then it exits 0 and releases the Lease', async () => {
    controller.child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => controller.child.once('exit', (exitCode) => resolve(exitCode)));
    expect(code, controller.output().slice(-3000)).toBe(0);
    const lease = await KubeClient.for(harness.admin).request<Json>('GET', `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/${rbac.leaseName}`);
    expect(at(lease, 'spec', 'holderIdentity') ?? '').toBe('');
  });
});
