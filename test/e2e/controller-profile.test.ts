// WorkloadProfiles on a real kube-apiserver with the controller: a profile's own status (Ready with
// its actions, or InvalidProfile naming the field the API server could not check), an experiment
// waiting for a profile that does not exist yet (woken by the watch: the recheck is set to ten
// minutes so polling cannot be what starts it), one that leaves an action without a threshold,
// and an experiment run on a profile that is edited during the run: the run keeps the generation
// it started with, judges exactly the profile's actions, and the next experiment takes the edit.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { argocdHealth } from '../support/argocd-health.ts';
import { kstatus } from '../support/kstatus.ts';
import { at, condition, experimentManifest, startClusterHarness, type ClusterHarness, type Json } from './controller-cluster.ts';

vi.setConfig({ testTimeout: 240_000 });

let harness: ClusterHarness;

beforeAll(async () => {
  harness = await startClusterHarness();
  await harness.startController({ referenceRecheckMs: 600_000 });
});
afterAll(async () => harness?.close());

/** Two actions against the reference app (Olio PHP's pages): the home page, then an event it lists. */
function browsing(name: string, eventPath = '/events.php?socialEventID={{event}}'): Json {
  return {
    metadata: { name },
    spec: {
      think: { mean: '500ms' },
      actions: [
        {
          name: 'Home',
          requests: [{ path: '/index.php', expect: { status: [200] }, capture: [{ var: 'event', regex: 'events\\.php\\?socialEventID=(\\d+)', pick: 'random' }] }],
        },
        { name: 'Event', requests: [{ path: eventPath, when: 'event', expect: { status: [200] } }] },
      ],
      matrix: { Home: [0.3, 0.7], Event: [0.6, 0.4] },
    },
  };
}

function onProfile(name: string, profile: string, sla: Json = { window: '4s', step: '1s', defaultThreshold: '2s' }): Json {
  const manifest = experimentManifest(harness, name, { migrations: null, steady: '8s' });
  const spec = manifest.spec as Json;
  const workload = { ...(spec.workload as Json), profile: undefined, thinkTime: undefined, profileRef: { name: profile } };
  return { ...manifest, spec: { ...spec, workload, sla } };
}

async function finished(name: string): Promise<Json> {
  return harness.eventually(`${name} finished`, async () => {
    const read = await harness.get('MigrationExperiment', name);
    return ['Succeeded', 'Failed', 'Aborted'].includes(String(at(read, 'status', 'phase'))) ? read : undefined;
  });
}

describe('Given a WorkloadProfile for the reference app', () => {
  it('then the controller compiles it: Ready, its actions and its chain in status and in kubectl get', async () => {
    await harness.create('WorkloadProfile', browsing('browsing'));
    const profile = await harness.eventually('the profile Ready', async () => {
      const read = await harness.get('WorkloadProfile', 'browsing');
      return condition(read, 'Ready')?.status === 'True' ? read : undefined;
    });
    expect(profile.status).toMatchObject({ observedGeneration: 1, actions: ['Home', 'Event'], chain: 'matrix' });
    expect(await harness.kubectlGet('WorkloadProfile', 'browsing')).toMatchObject({ ACTIONS: '["Home","Event"]', CHAIN: 'matrix', READY: 'True' });
  });

  it('when an experiment runs on it and the profile is edited mid-run, then the run keeps the generation it started with', async () => {
    await harness.create('MigrationExperiment', onProfile('on-browsing', 'browsing'));
    await harness.eventually('the run under way', async () => {
      const phase = at(await harness.get('MigrationExperiment', 'on-browsing'), 'status', 'phase');
      return phase === 'SteadyState' ? phase : undefined;
    });
    // Every Event request of the edited profile would fail (404): none may, since the run keeps generation 1.
    await harness.patch('WorkloadProfile', 'browsing', { spec: { actions: (browsing('x', '/no-such-page/{{event}}').spec as Json).actions } });
    const done = await finished('on-browsing');
    expect(at(done, 'status', 'phase'), JSON.stringify(at(done, 'status', 'conditions'))).toBe('Succeeded');
    expect(at(done, 'status', 'profile')).toMatchObject({ kind: 'WorkloadProfile', name: 'browsing', generation: 1, actions: ['Home', 'Event'] });
    const actions = at(done, 'status', 'runs', 0, 'actions') as { action: string; count: number; errors: number; thresholdSeconds: number }[];
    expect(actions.map((a) => a.action)).toEqual(['Home', 'Event']);
    expect(actions.every((a) => a.count > 0 && a.errors === 0 && a.thresholdSeconds === 2)).toBe(true);
  });

  it('when a new experiment starts after the edit, then it runs generation 2 and its users meet the 404s', async () => {
    await harness.create('MigrationExperiment', onProfile('after-edit', 'browsing'));
    const done = await finished('after-edit');
    expect(at(done, 'status', 'profile', 'generation')).toBe(2);
    const event = (at(done, 'status', 'runs', 0, 'actions') as { action: string; errors: number }[]).find((a) => a.action === 'Event');
    expect(event?.errors).toBeGreaterThan(0);
  });
});

describe('Given an experiment naming a WorkloadProfile that does not exist yet', () => {
  it('then it waits, Degraded naming spec.workload.profileRef.name, and starts when the profile is created (the watch wakes it)', async () => {
    await harness.create('MigrationExperiment', onProfile('waits-for-profile', 'late'));
    const waiting = await harness.eventually('Degraded ProfileNotFound', async () => {
      const read = await harness.get('MigrationExperiment', 'waits-for-profile');
      return condition(read, 'Degraded')?.reason === 'ProfileNotFound' ? read : undefined;
    });
    expect(at(waiting, 'status', 'phase')).toBe('Pending');
    expect(condition(waiting, 'Degraded')?.message).toMatch(/^spec\.workload\.profileRef\.name: no WorkloadProfile "late" in namespace /);
    expect(await harness.events('waits-for-profile')).toEqual([expect.stringMatching(/^Warning ProfileNotFound: spec\.workload\.profileRef\.name: /)]);

    await harness.create('WorkloadProfile', browsing('late'));
    const started = await harness.eventually('it started', async () => {
      const read = await harness.get('MigrationExperiment', 'waits-for-profile');
      return at(read, 'status', 'profile') !== undefined ? read : undefined;
    }, 30_000);
    expect(at(started, 'status', 'profile', 'name')).toBe('late');
    expect(at(await finished('waits-for-profile'), 'status', 'phase')).toBe('Succeeded');
  });
});

describe('Given a WorkloadProfile the API server accepts but the profile compiler refuses', () => {
  it('then its status says InvalidProfile naming the field, and an experiment using it waits naming the profile and the field', async () => {
    const broken = browsing('broken');
    ((broken.spec as Json).actions as Json[])[0] = { name: 'Home', requests: [{ path: '/index.php', capture: [{ var: 'event', regex: '(unclosed' }] }] };
    await harness.create('WorkloadProfile', broken);
    const profile = await harness.eventually('the profile refused', async () => {
      const read = await harness.get('WorkloadProfile', 'broken');
      return condition(read, 'Ready')?.reason === 'InvalidProfile' ? read : undefined;
    });
    expect(condition(profile, 'Ready')?.message).toMatch(/^spec\.actions\[0\]\.requests\[0\]\.capture\[0\]\.regex: not a valid regular expression/);

    await harness.create('MigrationExperiment', onProfile('on-broken', 'broken'));
    const waiting = await harness.eventually('Degraded InvalidProfile', async () => {
      const read = await harness.get('MigrationExperiment', 'on-broken');
      return condition(read, 'Degraded')?.reason === 'InvalidProfile' ? read : undefined;
    });
    expect(condition(waiting, 'Degraded')?.message).toContain('WorkloadProfile "broken" is invalid: spec.actions[0].requests[0].capture[0].regex');
    expect(await harness.events('on-broken')).toEqual([expect.stringMatching(/^Warning InvalidProfile: spec\.workload\.profileRef\.name: /)]);
    // Flux and kpt see both as Failed at once, not as waiting forever.
    expect((await kstatus([profile, waiting])).map((verdict) => verdict.status)).toEqual(['Failed', 'Failed']);
    expect((await argocdHealth([profile, waiting])).map((health) => health.status)).toEqual(['Degraded', 'Degraded']);
  });
});

describe('Given an experiment on a WorkloadProfile that leaves an action without a threshold', () => {
  it('then it waits, Degraded naming spec.sla.thresholds and the action', async () => {
    await harness.create('MigrationExperiment', onProfile('no-threshold', 'browsing', { window: '4s', step: '1s', thresholds: { Home: '1s' } }));
    const waiting = await harness.eventually('Degraded InvalidSpec', async () => {
      const read = await harness.get('MigrationExperiment', 'no-threshold');
      return condition(read, 'Degraded')?.reason === 'InvalidSpec' ? read : undefined;
    });
    expect(condition(waiting, 'Degraded')?.message).toMatch(/^spec\.sla\.thresholds: no threshold for Event \(actions of WorkloadProfile browsing\)/);
  });
});
