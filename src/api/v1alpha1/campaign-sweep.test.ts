import { describe, expect, it } from 'vitest';
import { campaign, withField } from '../testing/cases.ts';
import { campaignExperiments, levelExperimentName } from './campaign-experiments.ts';
import { durationText, fieldValues, levelSuffix, sweepAxes, sweepLevels } from './campaign-sweep.ts';
import { parseCampaign } from './migration-campaign.ts';

/** The test campaign with this sweep, the template's users (when given) and a counted schedule of two. */
function spacingCampaign(sweep: object, users: number | null = 600, migrations: object = { count: 2, first: '5m', spacing: '2m' }) {
  let manifest = withField(campaign('spacing'), 'spec.sweep', sweep);
  manifest = withField(manifest, 'spec.template.spec.workload', { ...(users === null ? {} : { users }), steadyState: '20m' });
  return parseCampaign(withField(manifest, 'spec.template.spec.migrations', migrations));
}

describe('Given a sweep of the spacing from 1m to 10m by 1m', () => {
  const parsed = spacingCampaign({ spacing: { from: '1m', to: '10m', step: '1m' } });

  it('Then it has ten levels, widest first (the easiest on the SLA), named by their spacing', () => {
    const levels = sweepLevels(parsed.spec.sweep);
    expect(levels.map((l) => l.spacing)).toEqual(['10m', '9m', '8m', '7m', '6m', '5m', '4m', '3m', '2m', '1m']);
    expect(levelExperimentName('spacing', levels[0]!)).toBe('spacing-sp10m');
  });

  it("Then each level's experiment is the template with that spacing and the template's users", () => {
    const experiments = campaignExperiments(parsed);
    expect(experiments).toHaveLength(10);
    expect(experiments.at(-1)?.spec.migrations).toMatchObject({ count: 2, first: '5m', spacing: '1m' });
    expect(experiments.every((e) => e.spec.workload.users === 600)).toBe(true);
    expect(experiments[0]?.metadata.labels?.['migrascope.io/users']).toBe('600');
  });
});

describe('Given ranges of each kind', () => {
  it('Then durations, sizes and rates step in the unit they were written in', () => {
    expect(fieldValues('offset', { from: '30s', to: '2m', step: '45s' })).toEqual(['30s', '1m15s', '2m']);
    expect(fieldValues('vmMemory', { from: '1GiB', to: '2GiB', step: '512MiB' })).toEqual(['1GiB', '1.5GiB', '2GiB']);
    expect(fieldValues('linkBandwidth', { from: '1Gbit/s', to: '2Gbit/s', step: '500Mbit/s' })).toEqual(['1Gbit/s', '1.5Gbit/s', '2Gbit/s']);
    expect(fieldValues('rate', { from: 0.5, to: 1.5, step: 0.5 })).toEqual([0.5, 1, 1.5]);
    expect(durationText(3_723_500)).toBe('1h2m3s500ms');
  });

  it('Then a level name stays a valid name whatever the unit', () => {
    expect(levelSuffix({ vmMemory: '1.5GiB', linkBandwidth: '1Gbit/s' })).toBe('mem1p5gib-bw1gbit-s');
    expect(levelSuffix({ users: 500 })).toBe('500u');
  });
});

describe('Given a grid of users and spacing', () => {
  const parsed = spacingCampaign({ users: { values: [300, 100] }, spacing: { values: ['2m', '8m'] } }, null);
  const template = parsed.spec.template.spec.workload;

  it('Then the users are the columns (the recommendation reads along the load) and the spacing the rows, in the order given', () => {
    expect(sweepAxes(parsed.spec.sweep)).toEqual({ limit: 'users', row: 'spacing' });
    expect(sweepLevels(parsed.spec.sweep)).toEqual([
      { spacing: '2m', users: 100 },
      { spacing: '2m', users: 300 },
      { spacing: '8m', users: 100 },
      { spacing: '8m', users: 300 },
    ]);
    expect(template.users).toBeUndefined();
  });

  it('Then the level names carry both fields, the users first', () => {
    expect(campaignExperiments(parsed).map((e) => e.metadata.name)).toEqual(['spacing-100u-sp2m', 'spacing-300u-sp2m', 'spacing-100u-sp8m', 'spacing-300u-sp8m']);
  });
});

describe('Given a sweep over migrations that reaches one migration', () => {
  const parsed = spacingCampaign({ migrations: { from: 1, to: 3, step: 1 } });

  it("Then the level of one migration drops the template's spacing (nothing to space it from)", () => {
    const [one, , three] = campaignExperiments(parsed);
    expect(one?.spec.migrations).toMatchObject({ count: 1, first: '5m' });
    expect(one?.spec.migrations?.spacing).toBeUndefined();
    expect(three?.spec.migrations).toMatchObject({ count: 3, spacing: '2m' });
  });
});
