// A MigrationCampaign of three levels driven to Succeeded by the controller against a real
// kube-apiserver, the testbed and Redis: its experiments are children with owner references and
// deterministic names, created one level at a time, and the campaign's status holds the levels x
// actions table and the recommendation, shown by kubectl get and told by Events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OLIO_ACTIONS } from '../../src/api/v1alpha1/index.ts';
import { argocdHealth } from '../support/argocd-health.ts';
import { kstatus } from '../support/kstatus.ts';
import { at, condition, experimentManifest, startClusterHarness, type ClusterHarness, type Json } from './controller-cluster.ts';

let harness: ClusterHarness;
const LEVELS = [10, 20, 30];
/** Every child seen while the campaign ran: name -> phases, and how many ran at once at most. */
const seen = new Map<string, Set<string>>();
let mostRunningAtOnce = 0;

beforeAll(async () => {
  harness = await startClusterHarness();
  await harness.startController();
});
afterAll(async () => harness?.close());

async function children(): Promise<Json[]> {
  return (await harness.list('MigrationExperiment')).filter((item) => at(item, 'metadata', 'labels', 'migrascope.io/campaign') === 'sweep');
}

describe('Given a safeLoad campaign over 10, 20 and 30 users with one migration per level', () => {
  let campaign: Json;
  let uid: string;
  const before = () => harness.migrations.length;
  let migrationsBefore = 0;

  beforeAll(async () => {
    migrationsBefore = before();
    const { spec } = experimentManifest(harness, 'template', { steady: '8s', migrations: { offsets: ['2s'], destination: { policy: 'roundRobin' }, timeout: '1m' } }) as { spec: Json };
    const { workload, ...template } = spec;
    const { users: _users, ...withoutUsers } = workload as Json;
    // Thresholds far above anything the testbed answers: every level passes, so the
    // recommendation is the highest level whatever the machine's load.
    const thresholds = Object.fromEntries(OLIO_ACTIONS.map((action) => [action, '60s']));
    const created = await harness.create('MigrationCampaign', {
      metadata: { name: 'sweep' },
      spec: {
        mode: 'safeLoad',
        template: { metadata: { labels: { team: 'perf' } }, spec: { ...template, workload: withoutUsers, sla: { ...(template.sla as Json), thresholds } } },
        sweep: { users: { from: 10, to: 30, step: 10 } },
      },
    });
    uid = at(created, 'metadata', 'uid') as string;
  });

  it('then it runs its levels one at a time to Succeeded', async () => {
    campaign = await harness.eventually(
      'the campaign Succeeded',
      async () => {
        const running = (await children()).filter((child) => !['Succeeded', 'Failed', 'Aborted'].includes(String(at(child, 'status', 'phase'))));
        mostRunningAtOnce = Math.max(mostRunningAtOnce, running.length);
        for (const child of await children()) {
          const name = at(child, 'metadata', 'name') as string;
          if (!seen.has(name)) seen.set(name, new Set());
          seen.get(name)!.add(String(at(child, 'status', 'phase')));
        }
        const read = await harness.get('MigrationCampaign', 'sweep');
        const phase = at(read, 'status', 'phase');
        if (phase === 'Failed' || phase === 'Aborted') throw new Error(`the campaign ended ${String(phase)}: ${JSON.stringify(at(read, 'status'))}`);
        return phase === 'Succeeded' ? read : undefined;
      },
      240_000,
    );
    expect(mostRunningAtOnce).toBe(1);
    expect(harness.migrations.length - migrationsBefore).toBe(3);
  }, 300_000);

  it('then its experiments are its children, with deterministic names, owner references and the template labels', async () => {
    const list = await children();
    expect(list.map((child) => at(child, 'metadata', 'name')).sort()).toEqual(['sweep-10u', 'sweep-20u', 'sweep-30u']);
    for (const child of list) {
      const users = at(child, 'spec', 'workload', 'users') as number;
      expect(at(child, 'metadata', 'name')).toBe(`sweep-${users}u`);
      expect(at(child, 'metadata', 'ownerReferences')).toEqual([
        { apiVersion: 'migrascope.io/v1alpha1', kind: 'MigrationCampaign', name: 'sweep', uid, controller: true, blockOwnerDeletion: true },
      ]);
      expect(at(child, 'metadata', 'labels')).toMatchObject({ team: 'perf', 'migrascope.io/campaign': 'sweep', 'migrascope.io/users': String(users) });
      expect(at(child, 'status', 'phase')).toBe('Succeeded');
      expect(at(child, 'status', 'summary', 'migrations')).toBe(1);
    }
  });

  it('then each level was created only after the previous one had finished', async () => {
    const byUsers = new Map((await children()).map((child) => [at(child, 'spec', 'workload', 'users') as number, child]));
    for (let i = 1; i < LEVELS.length; i += 1) {
      const previousEnd = Date.parse(at(byUsers.get(LEVELS[i - 1]!), 'status', 'completionTime') as string);
      const created = Date.parse(at(byUsers.get(LEVELS[i]!), 'metadata', 'creationTimestamp') as string);
      expect(created).toBeGreaterThanOrEqual(Math.floor(previousEnd / 1000) * 1000); // creationTimestamp has whole seconds
    }
  });

  it('then its status holds the levels x actions table and the recommendation, read from the children', async () => {
    const status = campaign.status as Json;
    expect(status).toMatchObject({ phase: 'Succeeded', completedLevels: 3, observedGeneration: 1 });
    const levels = status.levels as Json[];
    expect(levels.map((level) => [level.users, level.experiment, level.phase, level.verdict])).toEqual(
      LEVELS.map((users) => [users, `sweep-${users}u`, 'Succeeded', 'Pass']),
    );
    const byName = new Map((await children()).map((child) => [at(child, 'metadata', 'name'), child]));
    for (const level of levels) {
      const child = byName.get(level.experiment);
      expect(level.actions).toEqual(at(child, 'status', 'summary', 'actions'));
      expect(level.maxDowntimeSeconds).toBe(at(child, 'status', 'summary', 'maxDowntimeSeconds'));
      expect((level.actions as Json[]).map((a) => a.action)).toEqual(expect.arrayContaining(['HomePage', 'TagSearch', 'EventDetail']));
    }
    expect(status.recommendation).toMatchObject({ users: 30, percentile: 99 });
    expect(condition(campaign, 'Ready')).toMatchObject({ status: 'True', reason: 'Succeeded', message: (status.recommendation as Json).message });
    expect(condition(campaign, 'Progressing')?.status).toBe('False');
    expect(condition(campaign, 'Degraded')?.status).toBe('False');
    expect(condition(campaign, 'Reconciling')).toMatchObject({ status: 'False', observedGeneration: 1 });
    expect((await kstatus([campaign]))[0]?.status).toBe('Current');
    expect((await argocdHealth([campaign]))[0]?.status).toBe('Healthy');
  });

  it('then kubectl get shows its phase, mode, levels and recommendation', async () => {
    expect(await harness.kubectlGet('MigrationCampaign', 'sweep')).toMatchObject({ PHASE: 'Succeeded', MODE: 'safeLoad', LEVELS: '3', RECOMMENDATION: '30 users' });
  });

  it('then Events tell each level starting and finishing, and the end', async () => {
    const events = await harness.events('sweep');
    const reasons = events.map((event) => event.split(':')[0]);
    expect(reasons.filter((r) => r === 'Normal LevelStarted')).toHaveLength(3);
    expect(reasons.filter((r) => r === 'Normal LevelFinished')).toHaveLength(3);
    expect(reasons.at(-1)).toBe('Normal Succeeded');
    expect(events.filter((e) => e.startsWith('Normal LevelStarted')).map((e) => e.replace(/.*MigrationExperiment (\S+).*/, '$1'))).toEqual(['sweep-10u', 'sweep-20u', 'sweep-30u']);
  });
});
