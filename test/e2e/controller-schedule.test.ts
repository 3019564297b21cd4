// MigrationSchedules driven by the controller against a real kube-apiserver, the testbed and Redis,
// with the controller's clock moved forward by hours instead of waiting for them: an hourly
// schedule starts a real campaign at its occurrence (deterministic name, owned, labelled), lists
// it with its verdict once done, keeps Forbid's promise while it runs, and misses an occurrence
// past startingDeadlineSeconds; Replace deletes the running campaign for the next one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OLIO_ACTIONS } from '../../src/api/v1alpha1/index.ts';
import { argocdHealth } from '../support/argocd-health.ts';
import { kstatus } from '../support/kstatus.ts';
import { at, condition, experimentManifest, startClusterHarness, type ClusterHarness, type Json } from './controller-cluster.ts';

const HOUR = 3_600_000;
let harness: ClusterHarness;
/** How far the controller's clock is ahead of the real one. */
let aheadMs = 0;

beforeAll(async () => {
  harness = await startClusterHarness();
  await harness.startController({ now: () => Date.now() + aheadMs });
});
afterAll(async () => harness?.close());

/** Moves the controller's clock to `minutes` past the next full hour (of its clock), and makes it look. */
async function advanceTo(name: string, minutes: number): Promise<number> {
  const now = Date.now() + aheadMs;
  return moveClock(name, Math.ceil(now / HOUR) * HOUR + minutes * 60_000 - now);
}

/** Moves the controller's clock `byMs` forward and waits until the schedule has been looked at with it. */
async function moveClock(name: string, byMs: number): Promise<number> {
  aheadMs += byMs;
  const target = Date.now() + aheadMs;
  // Its wake-up timer was set for the old clock: a touch of the object makes it look now.
  await harness.patch('MigrationSchedule', name, { metadata: { annotations: { 'test.migrascope.io/tick': String(target) } } });
  // Looked at with the new clock: its next time is past the target (or it is suspended and has none).
  await harness.eventually(`${name} reconciled at ${new Date(target).toISOString()}`, async () => {
    const read = await harness.get('MigrationSchedule', name);
    const next = at(read, 'status', 'nextScheduleTime') as string | undefined;
    const suspended = condition(read, 'Ready')?.reason === 'Suspended';
    return suspended || (next !== undefined && Date.parse(next) > target) ? true : undefined;
  });
  return target;
}

async function campaignsOf(schedule: string): Promise<Json[]> {
  return (await harness.list('MigrationCampaign')).filter((item) => at(item, 'metadata', 'labels', 'migrascope.io/schedule') === schedule);
}

/** A one-level campaign template (10 users, no migration, thresholds every level passes). */
function campaignTemplate(overrides: { poolRef?: string } = {}): Json {
  const { spec } = experimentManifest(harness, 'template', { steady: '6s', migrations: null, ...overrides }) as { spec: Json };
  const { workload, ...template } = spec;
  const { users: _users, ...withoutUsers } = workload as Json;
  const thresholds = Object.fromEntries(OLIO_ACTIONS.map((action) => [action, '60s']));
  return {
    mode: 'capacity',
    sweep: { users: { from: 10, to: 10, step: 10 } },
    template: { spec: { ...template, workload: withoutUsers, sla: { ...(template.sla as Json), thresholds } } },
  };
}

describe('Given an hourly schedule (Forbid, a 10-minute starting deadline) of a one-level campaign', () => {
  let uid: string;
  let first: number;

  beforeAll(async () => {
    const created = await harness.create('MigrationSchedule', {
      metadata: { name: 'hourly' },
      spec: { schedule: '0 * * * *', timeZone: 'UTC', startingDeadlineSeconds: 600, campaignTemplate: { spec: campaignTemplate() } },
    });
    uid = at(created, 'metadata', 'uid') as string;
  });

  it('then it is Ready and Current for kstatus, says when it runs next, and starts nothing yet', async () => {
    const schedule = await harness.eventually('the schedule Ready', async () => {
      const read = await harness.get('MigrationSchedule', 'hourly');
      return condition(read, 'Ready')?.status === 'True' ? read : undefined;
    });
    const next = Date.parse(at(schedule, 'status', 'nextScheduleTime') as string);
    expect(next % HOUR).toBe(0);
    expect(next - (Date.now() + aheadMs)).toBeLessThanOrEqual(HOUR);
    expect(await campaignsOf('hourly')).toEqual([]);
    const [verdict] = await kstatus([schedule]);
    expect(verdict?.status).toBe('Current');
    expect((await argocdHealth([schedule]))[0]).toMatchObject({ status: 'Healthy', message: expect.stringContaining('next campaign at') });
  });

  it('when its hour comes, then it starts the campaign named after the occurrence, owned and labelled, and lists it as active', async () => {
    first = await advanceTo('hourly', 0.1);
    const occurrence = Math.floor(first / HOUR) * HOUR;
    const name = `hourly-${occurrence / 60_000}`;
    const [campaign] = await harness.eventually('the campaign created', async () => {
      const list = await campaignsOf('hourly');
      return list.length > 0 ? list : undefined;
    });
    expect(at(campaign, 'metadata', 'name')).toBe(name);
    expect(at(campaign, 'metadata', 'annotations', 'migrascope.io/scheduled-time')).toBe(new Date(occurrence).toISOString());
    expect(at(campaign, 'metadata', 'ownerReferences')).toEqual([
      { apiVersion: 'migrascope.io/v1alpha1', kind: 'MigrationSchedule', name: 'hourly', uid, controller: true, blockOwnerDeletion: true },
    ]);
    const schedule = await harness.eventually('the campaign listed active', async () => {
      const read = await harness.get('MigrationSchedule', 'hourly');
      return (at(read, 'status', 'active', 0, 'name') === name ? read : undefined);
    });
    expect(at(schedule, 'status', 'lastScheduleTime')).toBe(new Date(occurrence).toISOString());
  });

  it('when the next hour comes while it runs, then Forbid starts nothing; once it ends past the deadline, that occurrence is missed', async () => {
    await advanceTo('hourly', 2);
    // Forbid: the campaign is still running (it takes ~15 s), so nothing new may start, though in time.
    expect((await campaignsOf('hourly')).length).toBe(1);
    await moveClock('hourly', 18 * 60_000);
    const schedule = await harness.eventually(
      'the campaign in the history',
      async () => {
        const read = await harness.get('MigrationSchedule', 'hourly');
        const history = (at(read, 'status', 'history') ?? []) as Json[];
        return history.length === 1 && (at(read, 'status', 'active') as Json[] | undefined)?.length === 0 ? read : undefined;
      },
      120_000,
    );
    expect(at(schedule, 'status', 'history', 0)).toMatchObject({ phase: 'Succeeded', recommendedUsers: 10 });
    expect(at(schedule, 'status', 'lastSuccessfulTime')).toBeDefined();
    // The occurrence 20 minutes ago is past its 10-minute deadline: missed, not started late.
    expect((await campaignsOf('hourly')).length).toBe(1);
    await harness.eventually('a MissedSchedule Warning', async () => ((await harness.events('hourly')).some((e) => e.startsWith('Warning MissedSchedule')) ? true : undefined));
  }, 180_000);

  it('when suspended, then it gives no next time and starts nothing while the clock moves on', async () => {
    await harness.patch('MigrationSchedule', 'hourly', { spec: { suspend: true } });
    await harness.eventually('no next time', async () => {
      const read = await harness.get('MigrationSchedule', 'hourly');
      return condition(read, 'Ready')?.reason === 'Suspended' && at(read, 'status', 'nextScheduleTime') === undefined ? read : undefined;
    }).then(async (read) => expect((await argocdHealth([read]))[0]?.status).toBe('Suspended'));
    await advanceTo('hourly', 1);
    await advanceTo('hourly', 1);
    expect((await campaignsOf('hourly')).length).toBe(1);
  });
});

describe('Given an hourly schedule with concurrencyPolicy Replace whose campaigns wait for a pool that does not exist', () => {
  beforeAll(async () => {
    await harness.create('MigrationSchedule', {
      metadata: { name: 'replacing' },
      spec: { schedule: '0 * * * *', concurrencyPolicy: 'Replace', campaignTemplate: { spec: campaignTemplate({ poolRef: 'absent' }) } },
    });
    await harness.eventually('the schedule Ready', async () => (condition(await harness.get('MigrationSchedule', 'replacing'), 'Ready')?.status === 'True' ? true : undefined));
  });

  it('when two hours pass, then the second campaign replaces the first, still running', async () => {
    const firstHour = Math.floor((await advanceTo('replacing', 1)) / HOUR) * HOUR;
    await harness.eventually('the first campaign', async () => ((await campaignsOf('replacing')).length === 1 ? true : undefined));
    const secondHour = Math.floor((await advanceTo('replacing', 1)) / HOUR) * HOUR;
    const names = await harness.eventually('only the second campaign left', async () => {
      const list = (await campaignsOf('replacing')).filter((c) => at(c, 'metadata', 'deletionTimestamp') === undefined).map((c) => at(c, 'metadata', 'name'));
      return list.length === 1 && list[0] === `replacing-${secondHour / 60_000}` ? list : undefined;
    });
    expect(names).not.toContain(`replacing-${firstHour / 60_000}`);
    expect((await harness.events('replacing')).some((e) => e.startsWith('Normal Replaced'))).toBe(true);
  });
});
