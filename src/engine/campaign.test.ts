import { describe, expect, it } from 'vitest';
import { campaign as campaignManifest, withField } from '../api/testing/cases.ts';
import { parseCampaign, type CampaignLevel, type SweepPoint } from '../api/v1alpha1/index.ts';
import { recommend, skipped } from './campaign.ts';

/** A campaign at 600 users (the template's), two migrations 2m apart, sweeping `sweep`. */
function parsed(sweep: object, extra: Record<string, unknown> = {}) {
  let manifest = withField(campaignManifest('c'), 'spec.sweep', sweep);
  manifest = withField(manifest, 'spec.template.spec.workload', { users: 600, steadyState: '20m' });
  manifest = withField(manifest, 'spec.template.spec.migrations', { count: 2, first: '5m', spacing: '2m' });
  for (const [field, value] of Object.entries(extra)) manifest = withField(manifest, `spec.${field}`, value);
  return parseCampaign(manifest);
}

const level = (sweep: SweepPoint, verdict: 'Pass' | 'Fail'): CampaignLevel => ({ sweep: sweep as CampaignLevel['sweep'], users: 600, experiment: 'x', phase: 'Succeeded', verdict });

describe('Given a spacing sweep whose closest spacings broke the SLA', () => {
  const campaign = parsed({ spacing: { values: ['1m', '3m', '5m', '10m'] } });
  const levels = [level({ spacing: '10m' }, 'Pass'), level({ spacing: '5m' }, 'Pass'), level({ spacing: '3m' }, 'Fail'), level({ spacing: '1m' }, 'Pass')];

  it('Then the recommendation is the closest spacing kept with every wider one kept too, and names the spacing', () => {
    const recommendation = recommend(campaign, levels);
    expect(recommendation).toMatchObject({ field: 'spacing', level: { spacing: '5m' }, percentile: 99 });
    expect(recommendation.users).toBeUndefined();
    // 1m passing beyond the failing 3m is luck, not a limit.
    expect(recommendation.message).toBe('migrate safely: migrations spaced at least 5m apart keeping the p99 SLA');
    expect(recommendation.brief).toBe('spacing >= 5m');
  });

  it('Then with no level passing it says the widest spacing tried is already too close', () => {
    expect(recommend(campaign, [level({ spacing: '10m' }, 'Fail')])).toMatchObject({
      message: 'no level kept the p99 SLA: the easiest level tried (spacing 10m) is already too much to migrate',
      brief: 'none',
    });
  });
});

describe('Given a users sweep (the study’s Table 2)', () => {
  const campaign = parseCampaign(campaignManifest('c'));
  const levels = [100, 200, 300].map((users, i) => ({ users, sweep: { users }, experiment: `c-${users}u`, phase: 'Succeeded' as const, verdict: i < 2 ? ('Pass' as const) : ('Fail' as const) }));

  it('Then the recommendation keeps its users and its sentence', () => {
    expect(recommend(campaign, levels)).toMatchObject({ users: 200, field: 'users', level: { users: 200 }, message: 'migrate safely: the application can be live-migrated at up to 200 users keeping the p99 SLA', brief: '200 users' });
  });

  it('Then a level recorded before campaigns swept more (users only, no sweep) still counts', () => {
    const old = levels.map(({ sweep: _sweep, ...rest }) => rest);
    expect(recommend(campaign, old).users).toBe(200);
  });
});

describe('Given a grid of memory (rows) and bandwidth (columns)', () => {
  const campaign = parsed({ vmMemory: { values: ['1GiB', '4GiB'] }, linkBandwidth: { values: ['1Gbit/s', '100MB/s'] } }, { mode: 'safeLoad' });
  const levels = [
    level({ vmMemory: '1GiB', linkBandwidth: '1Gbit/s' }, 'Pass'),
    level({ vmMemory: '1GiB', linkBandwidth: '100MB/s' }, 'Pass'),
    level({ vmMemory: '4GiB', linkBandwidth: '1Gbit/s' }, 'Pass'),
    level({ vmMemory: '4GiB', linkBandwidth: '100MB/s' }, 'Fail'),
  ];

  it('Then per memory the slowest link that kept the SLA, named by both fields', () => {
    const recommendation = recommend(campaign, levels);
    expect(recommendation.field).toBe('linkBandwidth');
    expect(recommendation.rows).toEqual([
      { row: { vmMemory: '1GiB' }, level: { vmMemory: '1GiB', linkBandwidth: '100MB/s' } },
      { row: { vmMemory: '4GiB' }, level: { vmMemory: '4GiB', linkBandwidth: '1Gbit/s' } },
    ]);
    expect(recommendation.message).toBe('migrate safely, keeping the p99 SLA: VM memory 1GiB: a link of at least 100MB/s; VM memory 4GiB: a link of at least 1Gbit/s');
    expect(recommendation.brief).toBe('1GiB: link >= 100MB/s; 4GiB: link >= 1Gbit/s');
  });

  it('Then with stopAfterFailure only the harder levels of the failing row are skipped', () => {
    const stopping = parsed({ vmMemory: { values: ['1GiB', '4GiB'] }, linkBandwidth: { values: ['1Gbit/s', '100MB/s'] } }, { stopAfterFailure: true });
    const failed = [level({ vmMemory: '4GiB', linkBandwidth: '1Gbit/s' }, 'Fail')];
    expect(skipped(stopping, failed, { vmMemory: '4GiB', linkBandwidth: '100MB/s' })).toBe(true);
    expect(skipped(stopping, failed, { vmMemory: '1GiB', linkBandwidth: '100MB/s' })).toBe(false);
    expect(skipped(campaign, failed, { vmMemory: '4GiB', linkBandwidth: '100MB/s' })).toBe(false);
  });
});

describe('Given an offset sweep (no direction: neither earlier nor later is harder)', () => {
  const campaign = parsed({ offset: { values: ['1m', '5m', '9m'] } });

  it('Then the recommendation lists the offsets that kept the SLA and those that did not', () => {
    const recommendation = recommend(campaign, [level({ offset: '1m' }, 'Pass'), level({ offset: '5m' }, 'Fail'), level({ offset: '9m' }, 'Pass')]);
    expect(recommendation).toMatchObject({ field: 'offset', message: 'migrate safely: a first migration at 1m, 9m into steady state keeps the p99 SLA; at 5m it does not', brief: 'offset 1m, 9m' });
    expect(recommendation.level).toBeUndefined();
  });
});

describe('Given a grid of fifty levels whose rows all passed', () => {
  const values = Array.from({ length: 25 }, (_, i) => `${i + 1}GiB`);
  const campaign = parsed({ vmMemory: { values }, linkBandwidth: { values: ['1Gbit/s', '100MB/s'] } });
  const levels = values.flatMap((vmMemory) => ['1Gbit/s', '100MB/s'].map((linkBandwidth) => level({ vmMemory, linkBandwidth }, 'Pass')));

  it('Then the brief for kubectl is cut short with "..." within its bound, the rows keeping every level', () => {
    const recommendation = recommend(campaign, levels);
    expect(recommendation.brief?.length).toBeLessThanOrEqual(120);
    expect(recommendation.brief).toMatch(/^1GiB: link >= 100MB\/s; 2GiB: .*\.\.\.$/);
    expect(recommendation.rows).toHaveLength(25);
  });
});
