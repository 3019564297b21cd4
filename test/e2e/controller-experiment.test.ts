// The controller against a real kube-apiserver, the testbed and Redis: a XenPool's status, an
// experiment driven to Succeeded (status, conditions, Events, printer columns, a spec change
// refused while it ran, the TTL), an experiment waiting for its pool (Degraded naming the field),
// deleted while its migration is in flight (the migration ends, the object goes, nothing is left
// in Redis), and invalid experiments refused by the API server.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { experimentStateKey } from '../../src/queue/run-keys.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import { argocdHealth } from '../support/argocd-health.ts';
import { kstatus } from '../support/kstatus.ts';
import { at, condition, experimentManifest, startClusterHarness, type ClusterHarness, type Json } from './controller-cluster.ts';

// A case may wait for a whole run (up to 150 s on a loaded machine).
vi.setConfig({ testTimeout: 240_000 });

let harness: ClusterHarness;

beforeAll(async () => {
  harness = await startClusterHarness();
  await harness.startController();
});
afterAll(async () => harness?.close());

/** The keys Redis holds for an experiment uid (checkpoint, run data, started spec). */
async function redisKeys(uid: string): Promise<string[]> {
  const { Redis } = await import('ioredis');
  const client = new Redis(harness.redis.url);
  try {
    return await client.keys(`${harness.prefix}:experiment:{${uid}}:*`);
  } finally {
    client.disconnect();
  }
}

describe('Given a XenPool whose Secret holds the testbed credentials', () => {
  it('then the controller logs in and its status shows the simulated pool and its hosts', async () => {
    const pool = await harness.eventually('the pool connected', async () => {
      const read = await harness.get('XenPool', 'pool');
      return at(read, 'status', 'connected') === true ? read : undefined;
    });
    expect(pool.status).toMatchObject({ connected: true, poolName: 'engine-test', simulated: true, hostCount: 3, observedGeneration: 1 });
    expect((at(pool, 'status', 'hosts') as { name: string }[]).map((h) => h.name)).toEqual(['h1', 'h2', 'h3']);
    expect(condition(pool, 'Ready')).toMatchObject({ status: 'True', reason: 'Connected' });
    expect(condition(pool, 'Degraded')?.status).toBe('False');
    expect((await kstatus([pool]))[0]?.status).toBe('Current');
    expect((await argocdHealth([pool]))[0]).toMatchObject({ status: 'Healthy' });
    expect(await harness.kubectlGet('XenPool', 'pool')).toMatchObject({ CONNECTED: 'true', HOSTS: '3' });
    expect(await harness.events('pool')).toEqual(expect.arrayContaining([expect.stringMatching(/^Normal Connected: logged in to engine-test/)]));
  });
});

describe('Given an experiment with one migration and a TTL', () => {
  let finished: Json;
  let uid: string;
  const migrationsBefore = () => harness.migrations.length;
  let before = 0;

  beforeAll(async () => {
    before = migrationsBefore();
    const created = await harness.create('MigrationExperiment', experimentManifest(harness, 'one-migration', { spec: { ttlSecondsAfterFinished: 10 } }));
    uid = at(created, 'metadata', 'uid') as string;
  });

  it('when its spec changes while it runs, then the change is refused visibly and the run keeps the generation it started with', async () => {
    const running = await harness.eventually('the run under way', async () => {
      const read = await harness.get('MigrationExperiment', 'one-migration');
      const phase = at(read, 'status', 'phase');
      return phase === 'RampUp' || phase === 'SteadyState' ? read : undefined;
    });
    expect(condition(running, 'Reconciling')).toMatchObject({ status: 'True', observedGeneration: 1 });
    expect((await kstatus([running]))[0]?.status).toBe('InProgress');
    expect((await argocdHealth([running]))[0]?.status).toBe('Progressing');
    // Removing the migrations would change what is measured: refused, the run still migrates.
    const patched = await harness.patch('MigrationExperiment', 'one-migration', { spec: { migrations: null } });
    expect(at(patched, 'metadata', 'generation')).toBe(2);
    const refused = await harness.eventually('the SpecChanged condition', async () => condition(await harness.get('MigrationExperiment', 'one-migration'), 'SpecChanged'));
    expect(refused).toMatchObject({ status: 'True', reason: 'SpecChangedWhileRunning', observedGeneration: 2 });
    expect(refused.message).toContain('applies to none of the current runs; once they finish, set the annotation migrascope.io/rerun');
    expect(await harness.events('one-migration')).toEqual(expect.arrayContaining([expect.stringMatching(/^Warning SpecChangedWhileRunning: generation 2/)]));
  });

  it('then it runs to Succeeded with its status, conditions and the migration the testbed performed', async () => {
    finished = await harness.eventually(
      'the experiment Succeeded',
      async () => {
        const read = await harness.get('MigrationExperiment', 'one-migration');
        const phase = at(read, 'status', 'phase');
        if (phase === 'Failed' || phase === 'Aborted') throw new Error(`ended ${String(phase)}: ${JSON.stringify(at(read, 'status', 'conditions'))}`);
        return phase === 'Succeeded' ? read : undefined;
      },
      150_000,
    );
    expect(harness.migrations.length - before).toBe(1);
    const done = harness.migrations.at(-1)!;
    const status = finished.status as Json;
    expect(status).toMatchObject({ completedRuns: 1, observedGeneration: 2, migrationOffsets: ['4s'] });
    expect(status.currentRun).toBeUndefined();
    expect(status.completionTime).toEqual(expect.any(String));
    const migration = at(status, 'runs', 0, 'migrations', 0) as Json;
    expect(migration).toMatchObject({ state: 'Succeeded', source: done.source, destination: done.destination });
    // Clients saw at least the modelled stall (its precision, within 100 ms, is the engine's
    // integration test's: here an API server shares two cores with everything else).
    expect(migration.downtimeSeconds as number).toBeGreaterThanOrEqual(done.prediction.downtimeSeconds * 0.9);
    expect(at(status, 'summary', 'maxDowntimeSeconds')).toBe(migration.downtimeSeconds);
    expect(migration.modelDowntimeSeconds).toBeCloseTo(done.prediction.downtimeSeconds, 3);
    expect(at(status, 'summary')).toMatchObject({ runs: 1, migrations: 1 });

    expect(condition(finished, 'Ready')).toMatchObject({ status: 'True', reason: 'Succeeded', observedGeneration: 1 });
    expect(condition(finished, 'Progressing')?.status).toBe('False');
    expect(condition(finished, 'Degraded')?.status).toBe('False');
    expect(condition(finished, 'SpecChanged')?.status).toBe('True');
    expect(condition(finished, 'Reconciling')).toMatchObject({ status: 'False', observedGeneration: 1 });
    expect(condition(finished, 'Stalled')).toMatchObject({ status: 'False', observedGeneration: 1 });
    expect((await kstatus([finished]))[0]?.status).toBe('Current');
    expect((await argocdHealth([finished]))[0]).toMatchObject({ status: 'Healthy', message: expect.stringMatching(/^Succeeded: /) });
    expect(at(finished, 'metadata', 'finalizers')).toEqual(['migrascope.io/experiment']);
  });

  it('then kubectl get shows the printer columns from the status', async () => {
    const columns = await harness.kubectlGet('MigrationExperiment', 'one-migration');
    const summary = at(finished, 'status', 'summary') as Json;
    expect(columns).toMatchObject({
      PHASE: 'Succeeded',
      USERS: '20',
      RUNS: '1',
      MIGRATIONS: '1',
      'WORST P99': String(summary.worstP99VsSla),
      DOWNTIME: String(summary.maxDowntimeSeconds),
      VERDICT: String(summary.verdict),
    });
    expect(summary.worstP99VsSla).toMatch(/^\w+ [\d.]+s\/[\d.]+s$/);
  });

  it('then every phase change, the migration and the end were recorded as Events, in order', async () => {
    const reasons = (await harness.events('one-migration')).map((event) => event.split(':')[0]);
    const expected = [
      'Normal PhasePreparing',
      'Normal RunStarted',
      'Normal PhaseRampUp',
      'Normal PhaseSteadyState',
      'Normal MigrationStarted',
      'Normal PhaseMigrating',
      'Normal MigrationSucceeded',
      'Normal PhaseRampDown',
      'Normal PhaseAnalyzing',
      'Normal Succeeded',
    ];
    for (const reason of expected) expect(reasons).toContain(reason);
    const order = expected.filter((r) => !['Normal MigrationStarted', 'Normal PhaseMigrating'].includes(r)).map((r) => reasons.indexOf(r));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('then after ttlSecondsAfterFinished it is deleted, and its finalizer leaves nothing in Redis', async () => {
    await harness.eventually('the experiment deleted by its TTL', async () => ((await harness.get('MigrationExperiment', 'one-migration')) === undefined ? true : undefined), 60_000);
    expect(await harness.events('one-migration')).toEqual(expect.arrayContaining([expect.stringMatching(/^Normal TtlExpired: /)]));
    expect(await redisKeys(uid)).toEqual([]);
  });
});

describe('Given an experiment naming a XenPool that does not exist', () => {
  let uid: string;

  it('then it stays Pending, Degraded with a condition naming spec.poolRef.name, and a Warning Event', async () => {
    const created = await harness.create('MigrationExperiment', experimentManifest(harness, 'waits-for-pool', { poolRef: 'late-pool', steady: '16s' }));
    uid = at(created, 'metadata', 'uid') as string;
    const degraded = await harness.eventually('the Degraded condition', async () => {
      const read = await harness.get('MigrationExperiment', 'waits-for-pool');
      return condition(read, 'Degraded')?.status === 'True' ? read : undefined;
    });
    expect(at(degraded, 'status', 'phase')).toBe('Pending');
    expect(condition(degraded, 'Degraded')).toMatchObject({ reason: 'PoolNotFound', observedGeneration: 1 });
    expect(condition(degraded, 'Degraded')?.message).toMatch(/^spec\.poolRef\.name: no XenPool "late-pool" in namespace /);
    expect(condition(degraded, 'Ready')?.status).toBe('False');
    expect(condition(degraded, 'Stalled')).toMatchObject({ status: 'True', reason: 'PoolNotFound', observedGeneration: 1 });
    expect(await kstatus([degraded])).toEqual([expect.objectContaining({ status: 'Failed', message: condition(degraded, 'Degraded')?.message })]);
    expect(await argocdHealth([degraded])).toEqual([{ status: 'Degraded', message: `Pending: ${condition(degraded, 'Degraded')?.message}` }]);
    expect(await harness.events('waits-for-pool')).toEqual([expect.stringMatching(/^Warning PoolNotFound: spec\.poolRef\.name: /)]);
    expect(await redisKeys(uid)).toEqual([]); // nothing started
  });

  it('when the pool is created, then it starts; when deleted mid-migration, the migration ends and the object goes with nothing left', async () => {
    const before = harness.migrations.length;
    await harness.create('XenPool', {
      metadata: { name: 'late-pool' },
      spec: { url: harness.testbed.xapi.url, credentialsSecretRef: { name: 'xapi-credentials' } },
    });
    // Delete the moment the migration is asked of XAPI (its claim in Redis), before it ends.
    const { Redis } = await import('ioredis');
    const client = new Redis(harness.redis.url);
    const keys = new RunKeys(harness.prefix, { uid, namespace: harness.namespace, name: 'waits-for-pool' }, 1);
    try {
      await harness.eventually('the migration in flight', async () => ((await client.exists(keys.migrationClaim(1))) > 0 && (await client.hlen(keys.migrations)) === 0 ? true : undefined), 90_000);
      await harness.remove('MigrationExperiment', 'waits-for-pool');
      expect(harness.migrations.length).toBe(before); // still in flight when deleted
      await harness.eventually('the object gone', async () => ((await harness.get('MigrationExperiment', 'waits-for-pool')) === undefined ? true : undefined), 60_000);
      expect(await client.exists(experimentStateKey(harness.prefix, { uid, namespace: harness.namespace, name: 'waits-for-pool' }))).toBe(0);
    } finally {
      client.disconnect();
    }
    // The live migration was not torn in half: it completed before the object was let go.
    expect(harness.migrations.length - before).toBe(1);
    expect(harness.migrations.at(-1)?.timeline.outcome).toBe('completed');
    const events = await harness.events('waits-for-pool');
    expect(events).toEqual(expect.arrayContaining([expect.stringMatching(/^Normal Stopping: the experiment was deleted/), expect.stringMatching(/^Warning Aborted: /)]));
    expect(events.filter((e) => e.startsWith('Warning CleanupIncomplete'))).toEqual([]);
    expect(await redisKeys(uid)).toEqual([]);
  });
});

describe('Given an experiment with two migrations spaced as count, first and spacing', () => {
  it('then both run, spaced as asked, round-robin with no ping-pong, and status through the API server keeps the recovery of each', async () => {
    const before = harness.migrations.length;
    const migrations = { count: 2, first: '3s', spacing: '8s', destination: { policy: 'roundRobin' }, timeout: '1m' };
    await harness.create('MigrationExperiment', experimentManifest(harness, 'two-migrations', { steady: '16s', migrations }));
    const finished = await harness.eventually(
      'the experiment Succeeded',
      async () => {
        const read = await harness.get('MigrationExperiment', 'two-migrations');
        const phase = at(read, 'status', 'phase');
        if (phase === 'Failed' || phase === 'Aborted') throw new Error(`ended ${String(phase)}: ${JSON.stringify(at(read, 'status', 'conditions'))}`);
        return phase === 'Succeeded' ? read : undefined;
      },
      150_000,
    );
    const done = harness.migrations.slice(before);
    const recorded = at(finished, 'status', 'runs', 0, 'migrations') as Json[];
    expect(recorded.map((m) => [m.index, m.offset, m.state])).toEqual([
      [1, '3s', 'Succeeded'],
      [2, '11s', 'Succeeded'],
    ]);
    expect(recorded.map((m) => `${String(m.source)} -> ${String(m.destination)}`)).toEqual(done.map((m) => `${m.source} -> ${m.destination}`));
    // The second leaves where the first arrived, and goes to the third host, not back (no ping-pong).
    expect(recorded[1]!.source).toBe(recorded[0]!.destination);
    expect(recorded[1]!.destination).not.toBe(recorded[0]!.source);
    const spacing = (Date.parse(recorded[1]!.startTime as string) - Date.parse(recorded[0]!.startTime as string)) / 1000;
    expect(Math.abs(spacing - 8)).toBeLessThan(2);
    for (const migration of recorded) {
      const recovery = migration.recovery as Json;
      expect(recovery).toMatchObject({ fromTime: expect.any(String), observedSeconds: expect.any(Number), perAction: expect.any(Array) });
      expect((recovery.perAction as Json[]).map((a) => a.action)).toEqual((at(finished, 'status', 'runs', 0, 'actions') as Json[]).map((a) => a.action));
    }
    expect(at(finished, 'status', 'summary', 'migrations')).toBe(2);
  });
});

describe('Given invalid experiments', () => {
  const refusal = async (body: Json): Promise<string> => {
    try {
      await harness.create('MigrationExperiment', body);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('the API server accepted it');
  };

  it('then the API server refuses them (type, range, unknown action, schedule outside steady state), naming the field', async () => {
    const base = experimentManifest(harness, 'invalid');
    const spec = base.spec as Json;
    expect(await refusal({ ...base, spec: { ...spec, workload: { ...(spec.workload as Json), users: 0 } } })).toContain('spec.workload.users');
    expect(await refusal({ ...base, spec: { ...spec, abort: { onViolation: 'p95' } } })).toContain('spec.abort.onViolation');
    expect(await refusal({ ...base, spec: { ...spec, migrations: { offsets: ['30s'] } } })).toContain('every migration offset must fall inside steady state');
    expect(await refusal({ ...base, spec: { ...spec, workload: { ...(spec.workload as Json), users: 'many' } } })).toContain('spec.workload.users');
    expect(await refusal({ ...base, spec: { ...spec, sla: { ...(spec.sla as Json), thresholds: { Checkout: '1s' } } } })).toContain(
      'thresholds may name only the Olio actions',
    );
  });
});
