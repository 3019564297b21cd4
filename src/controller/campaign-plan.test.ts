import { describe, expect, it } from 'vitest';
import { campaign as campaignCase, withField } from '../api/testing/cases.ts';
import { parseCampaign, type MigrationCampaign, type MigrationExperimentStatus } from '../api/v1alpha1/index.ts';
import { campaignStatus, planCampaign, testbedInputsRefusal } from './campaign-plan.ts';

const NOW = Date.parse('2025-05-01T10:00:00Z');

/** safe-load at 100, 200, 300 users, 30 s between levels. */
function campaign(overrides: Record<string, unknown> = {}): MigrationCampaign {
  let object = withField(campaignCase(), 'spec.sweep.users', { from: 100, to: 300, step: 100 });
  object = withField(object, 'metadata.uid', 'c-1');
  for (const [path, value] of Object.entries(overrides)) object = withField(object, path, value);
  return parseCampaign(object);
}

function finishedStatus(verdict99: 'Pass' | 'Fail', completionTime = '2025-05-01T09:50:00Z', phase: MigrationExperimentStatus['phase'] = 'Succeeded'): MigrationExperimentStatus {
  return {
    phase,
    completionTime,
    summary: {
      runs: 1,
      migrations: 1,
      maxDowntimeSeconds: 0.8,
      meanMigrationSeconds: 2.1,
      verdicts: [
        { percentile: 90, verdict: 'Pass' },
        { percentile: 99, verdict: verdict99 },
      ],
    },
  };
}

describe('Given a campaign with no experiment yet', () => {
  it('then the first level is created now, and only that one', () => {
    const plan = planCampaign(campaign(), new Map(), NOW);
    expect(plan).toEqual({ levels: [], next: { settings: { users: 100 }, name: 'safe-load-100u', notBeforeMs: NOW }, done: false, stoppedEarly: false });
    expect(campaignStatus(campaign(), plan, undefined, new Date(NOW)).phase).toBe('Pending');
  });
});

describe('Given the first level running', () => {
  it('then nothing else is created and the campaign is Running', () => {
    const plan = planCampaign(campaign(), new Map([['safe-load-100u', { phase: 'SteadyState' as const }]]), NOW);
    expect(plan.next).toBeUndefined();
    expect(plan.running).toEqual({ users: 100 });
    const status = campaignStatus(campaign(), plan, undefined, new Date(NOW));
    expect(status.phase).toBe('Running');
    expect(status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', message: 'level 1 of 3: 100 users' });
  });
});

describe('Given the first level finished', () => {
  it('when the pause between levels has not passed, then the next level waits for it', () => {
    const children = new Map([['safe-load-100u', finishedStatus('Pass', '2025-05-01T09:59:50Z')]]);
    const plan = planCampaign(campaign(), children, NOW);
    expect(plan.next).toEqual({ settings: { users: 200 }, name: 'safe-load-200u', notBeforeMs: Date.parse('2025-05-01T10:00:20Z') });
    expect(plan.levels.map((l) => [l.users, l.verdict])).toEqual([[100, 'Pass']]);
  });

  it('when it has, then the next level is due now', () => {
    const plan = planCampaign(campaign(), new Map([['safe-load-100u', finishedStatus('Pass')]]), NOW);
    expect(plan.next?.settings.users).toBe(200);
    expect(plan.next!.notBeforeMs).toBeLessThanOrEqual(NOW);
  });
});

describe('Given every level finished', () => {
  const children = new Map([
    ['safe-load-100u', finishedStatus('Pass')],
    ['safe-load-200u', finishedStatus('Pass')],
    ['safe-load-300u', finishedStatus('Fail')],
  ]);

  it('then the table has every level and the recommendation is the highest passing load', () => {
    const plan = planCampaign(campaign(), children, NOW);
    expect(plan.done).toBe(true);
    const status = campaignStatus(campaign(), plan, { startTime: '2025-05-01T09:00:00Z' }, new Date(NOW));
    expect(status).toMatchObject({ phase: 'Succeeded', completedLevels: 3, startTime: '2025-05-01T09:00:00Z', completionTime: '2025-05-01T10:00:00.000Z' });
    expect(status.levels?.map((l) => [l.users, l.experiment, l.verdict, l.maxDowntimeSeconds])).toEqual([
      [100, 'safe-load-100u', 'Pass', 0.8],
      [200, 'safe-load-200u', 'Pass', 0.8],
      [300, 'safe-load-300u', 'Fail', 0.8],
    ]);
    expect(status.recommendation).toMatchObject({ users: 200, percentile: 99 });
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', message: status.recommendation?.message });
  });

  it('when one level failed as an experiment, then the campaign is Failed naming it', () => {
    const broken = new Map(children);
    broken.set('safe-load-200u', { ...finishedStatus('Pass'), phase: 'Failed' });
    const status = campaignStatus(campaign(), planCampaign(campaign(), broken, NOW), undefined, new Date(NOW));
    expect(status.phase).toBe('Failed');
    expect(status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'LevelFailed' });
    expect(status.conditions?.find((c) => c.type === 'Degraded')?.message).toContain('200 users');
  });
});

describe('Given stopAfterFailure', () => {
  it('when a level breaks the SLA, then the levels above it are skipped', () => {
    const plan = planCampaign(campaign({ 'spec.stopAfterFailure': true }), new Map([['safe-load-100u', finishedStatus('Fail')]]), NOW);
    expect(plan).toMatchObject({ done: true, stoppedEarly: true });
    expect(plan.next).toBeUndefined();
  });
});

describe('Given finished experiments deleted by their TTL', () => {
  it('then the rows the campaign recorded stand and the levels are not run again', () => {
    const first = campaign();
    const recorded = campaignStatus(first, planCampaign(first, new Map([['safe-load-100u', finishedStatus('Pass')]]), NOW), undefined, new Date(NOW));
    const later = { ...first, status: recorded };
    const plan = planCampaign(later, new Map(), NOW);
    expect(plan.levels.map((l) => [l.users, l.verdict])).toEqual([[100, 'Pass']]);
    expect(plan.next?.settings.users).toBe(200);
  });

  it('when an experiment is deleted while it ran, then its level counts as Aborted, not run again', () => {
    const first = campaign();
    const recorded = campaignStatus(first, planCampaign(first, new Map([['safe-load-100u', { phase: 'RampUp' as const }]]), NOW), undefined, new Date(NOW));
    const plan = planCampaign({ ...first, status: recorded }, new Map(), NOW);
    expect(plan.levels[0]).toMatchObject({ users: 100, phase: 'Aborted', verdict: 'Fail' });
    expect(plan.next?.settings.users).toBe(200);
  });
});

describe('Given a grid of memory (rows) by bandwidth (columns) that stops after a failure', () => {
  const grid = campaign({
    'spec.sweep': { vmMemory: { values: ['1GiB', '4GiB'] }, linkBandwidth: { values: ['100MB/s', '1Gbit/s'] } },
    'spec.template.spec.workload.users': 50,
    'spec.stopAfterFailure': true,
  });

  it('then the levels run row by row, fastest link first, and a failure skips only the rest of its row', () => {
    const first = planCampaign(grid, new Map(), NOW);
    expect(first.next?.name).toBe('safe-load-mem1gib-bw1gbit-s');
    const children = new Map([
      ['safe-load-mem1gib-bw1gbit-s', finishedStatus('Fail')],
    ]);
    const plan = planCampaign(grid, children, NOW);
    // 1GiB at 100MB/s is harder than the failing 1GiB at 1Gbit/s: skipped; the 4GiB row runs.
    expect(plan.next?.settings).toEqual({ vmMemory: '4GiB', linkBandwidth: '1Gbit/s' });
    expect(plan.stoppedEarly).toBe(true);
    expect(plan.levels.map((l) => l.sweep)).toEqual([{ vmMemory: '1GiB', linkBandwidth: '1Gbit/s' }]);
  });

  it('then on a XenPool whose status says it is real it is refused before any level, naming the pool', () => {
    const real = { spec: { url: 'https://xen-master.example/' }, status: { simulated: false } };
    expect(testbedInputsRefusal(grid, real)).toMatch(/^spec\.testbed: the pool at https:\/\/xen-master\.example\/ is a real XenServer \/ XCP-ng pool/);
    expect(testbedInputsRefusal(grid, { status: { simulated: true } })).toBeUndefined();
    // Not probed yet: each level checks the pool itself before it runs.
    expect(testbedInputsRefusal(grid, { status: {} })).toBeUndefined();
    expect(testbedInputsRefusal(campaign(), real)).toBeUndefined();
  });
});
