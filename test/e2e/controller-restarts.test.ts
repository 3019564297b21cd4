// What the controller survives, against a real kube-apiserver, the testbed and Redis:
// - the API server crashing mid-run: watches resume, the run completes, its status is written;
// - the controller killed (SIGKILL) mid-migration: the next one resumes the run from Redis, the
//   migration is not asked for twice, the run completes;
// - two controllers with leader election: only the leader reconciles; when it stops the other
//   takes over and finishes the run; a controller whose lease is taken stops reconciling.
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LeadershipLostError, type Operator } from '../../src/controller/operator.ts';
import { KubeClient, MERGE_PATCH } from '../../src/controller/runtime/index.ts';
import { MigrascopeMetrics } from '../../src/metrics/index.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import type { RunningProcess } from '../support/processes.ts';
import { at, condition, experimentManifest, startClusterHarness, startMigrascope, type ClusterHarness, type Json } from './controller-cluster.ts';

// Each case waits for a whole run (up to 180 s on a loaded machine) plus restarts.
vi.setConfig({ testTimeout: 300_000 });
let harness: ClusterHarness;
let redis: Redis;

beforeAll(async () => {
  harness = await startClusterHarness();
  redis = new Redis(harness.redis.url);
});
afterAll(async () => {
  redis?.disconnect();
  await harness?.close();
});

async function uidOf(name: string): Promise<string> {
  return at(await harness.get('MigrationExperiment', name), 'metadata', 'uid') as string;
}

/** Resolves once the experiment's first migration was asked of XAPI and has not ended. */
async function migrationInFlight(name: string): Promise<void> {
  const keys = new RunKeys(harness.prefix, { uid: await uidOf(name), namespace: harness.namespace, name }, 1);
  await harness.eventually(`the migration of ${name} in flight`, async () => ((await redis.exists(keys.migrationClaim(1))) > 0 && (await redis.hlen(keys.migrations)) === 0 ? true : undefined), 120_000);
}

async function succeeded(name: string): Promise<Json> {
  return harness.eventually(
    `${name} Succeeded`,
    async () => {
      const read = await harness.get('MigrationExperiment', name);
      const phase = at(read, 'status', 'phase');
      if (phase === 'Failed' || phase === 'Aborted') throw new Error(`${name} ended ${String(phase)}: ${JSON.stringify(at(read, 'status', 'conditions'))}`);
      return phase === 'Succeeded' ? read : undefined;
    },
    180_000,
  );
}

function reconciles(metrics: MigrascopeMetrics): Promise<number> {
  return metrics.reconcileTotal.get().then((metric) => metric.values.reduce((sum, value) => sum + value.value, 0));
}

describe('Given a controller running an experiment', () => {
  it('when the API server crashes mid-run and comes back, then the watches resume and the run completes with its status', async () => {
    const operator = await harness.startController({ watchdogMs: 10_000 });
    const before = harness.migrations.length;
    await harness.create('MigrationExperiment', experimentManifest(harness, 'survives-apiserver', { steady: '14s', migrations: { offsets: ['6s'], timeout: '1m' } }));
    await harness.eventually('the run under way', async () => (['RampUp', 'SteadyState'].includes(String(at(await harness.get('MigrationExperiment', 'survives-apiserver'), 'status', 'phase'))) ? true : undefined));
    await harness.plane.restart({ crash: true, downMs: 3000 });

    const done = await succeeded('survives-apiserver');
    expect(harness.migrations.length - before).toBe(1);
    expect(at(done, 'status')).toMatchObject({ completedRuns: 1, summary: { runs: 1, migrations: 1 } });
    expect((at(done, 'status', 'runs', 0, 'actions') as Json[]).length).toBeGreaterThan(0);
    expect(condition(done, 'Ready')?.status).toBe('True');

    // The watch is back: an object created now is seen and reconciled.
    await harness.create('MigrationExperiment', experimentManifest(harness, 'after-restart', { poolRef: 'no-such-pool' }));
    const waiting = await harness.eventually('after-restart reconciled', async () => condition(await harness.get('MigrationExperiment', 'after-restart'), 'Degraded'));
    expect(waiting).toMatchObject({ status: 'True', reason: 'PoolNotFound' });
    await harness.remove('MigrationExperiment', 'after-restart');
    await operator.stop();
  });
});

describe('Given a controller process killed while a migration is in flight', () => {
  let killed: RunningProcess | undefined;
  afterAll(async () => killed?.stop());

  it('when another controller starts, then it resumes the run: no second migration, the run completes', async () => {
    const before = harness.migrations.length;
    killed = startMigrascope(harness, 'controller', { args: ['--namespace', harness.namespace] });
    await harness.create('MigrationExperiment', experimentManifest(harness, 'survives-controller', { steady: '14s', migrations: { offsets: ['5s'], timeout: '1m' } }));
    await migrationInFlight('survives-controller');
    killed.child.kill('SIGKILL');
    await new Promise((resolve) => killed!.child.once('exit', resolve));
    expect(harness.migrations.length).toBe(before); // it was still in flight

    const next = await harness.startController();
    const done = await succeeded('survives-controller');
    await next.stop();
    expect(harness.migrations.length - before).toBe(1);
    expect(at(done, 'status')).toMatchObject({ completedRuns: 1, summary: { runs: 1, migrations: 1 } });
    expect(at(done, 'status', 'runs')).toHaveLength(1);
    expect(at(done, 'status', 'runs', 0, 'migrations', 0, 'state')).toBe('Succeeded');
  });
});

describe('Given two controllers electing a leader', () => {
  // client-go's proportions (15 s / 10 s / 2 s), retrying faster. A leader that cannot renew within
  // renewDeadline stops for good (in production its process exits and restarts; here nobody restarts
  // it), so the deadline must outlast a slow API server on a loaded 2-core machine: with 3 s, renewals
  // stalled behind a benchmark and the first replica lost the lease mid-run; the other, as exposed,
  // may lose it the same way, and then nobody finishes the run. Handover does not wait for expiry:
  // stop() releases the lease, and a stolen lease is seen at the next renewal (retryPeriod).
  const election = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 1_000 };
  let first: Operator;
  let second: Operator;
  const firstMetrics = new MigrascopeMetrics({ defaultMetrics: false });
  const secondMetrics = new MigrascopeMetrics({ defaultMetrics: false });

  it('then only the leader reconciles', async () => {
    first = await harness.startController({ leaderElection: { namespace: harness.namespace, name: 'pair', identity: 'first', ...election }, metrics: firstMetrics });
    await harness.eventually('a leader', async () => (first.leading ? true : undefined), 30_000);
    second = await harness.startController({ leaderElection: { namespace: harness.namespace, name: 'pair', identity: 'second', ...election }, metrics: secondMetrics });
    await harness.create('MigrationExperiment', experimentManifest(harness, 'failover', { steady: '14s', migrations: { offsets: ['8s'], timeout: '1m' } }));
    await harness.eventually('the run under way', async () => (at(await harness.get('MigrationExperiment', 'failover'), 'status', 'phase') === 'SteadyState' ? true : undefined));
    expect(first.leading).toBe(true);
    expect(second.leading).toBe(false);
    expect(await reconciles(firstMetrics)).toBeGreaterThan(0);
    expect(await reconciles(secondMetrics)).toBe(0);
    const lease = await KubeClient.for(harness.admin).request<Json>('GET', `/apis/coordination.k8s.io/v1/namespaces/${harness.namespace}/leases/pair`);
    expect(at(lease, 'spec', 'holderIdentity')).toBe('first');
  });

  it('when the leader stops, then the other takes over and finishes the run with its one migration', async () => {
    const before = harness.migrations.length;
    await first.stop();
    await harness.eventually('the second controller leading', async () => (second.leading ? true : undefined), 30_000);
    const done = await succeeded('failover');
    expect(await reconciles(secondMetrics)).toBeGreaterThan(0);
    expect(harness.migrations.length - before).toBe(1);
    expect(at(done, 'status')).toMatchObject({ completedRuns: 1, summary: { migrations: 1 } });
  });

  it('when its lease is taken by another holder, then the leader stops reconciling and says it lost leadership', async () => {
    const client = KubeClient.for(harness.admin);
    const path = `/apis/coordination.k8s.io/v1/namespaces/${harness.namespace}/leases/pair`;
    await client.request('PATCH', path, { spec: { holderIdentity: 'intruder', leaseDurationSeconds: 3600, renewTime: new Date().toISOString().replace('Z', '000Z') } }, MERGE_PATCH);
    await expect(second.done).rejects.toBeInstanceOf(LeadershipLostError);
    expect(second.leading).toBe(false);
    const counted = await reconciles(secondMetrics);
    await harness.create('MigrationExperiment', experimentManifest(harness, 'nobody-leads', { poolRef: 'no-such-pool' }));
    await sleep(3000);
    expect(await reconciles(secondMetrics)).toBe(counted);
    expect(condition(await harness.get('MigrationExperiment', 'nobody-leads'), 'Degraded')).toBeUndefined();
  });
});
