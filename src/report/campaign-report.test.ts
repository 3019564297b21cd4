import { describe, expect, it } from 'vitest';
import { parseCampaign, type ActionSummary, type RunSummary } from '../api/v1alpha1/index.ts';
import { renderCampaignReport } from './campaign-report.ts';
import type { CampaignReportInput } from './input.ts';
import { rowTag, svgElements, svgsOf, tableRows } from './testing/reading.ts';

const campaign = parseCampaign({
  apiVersion: 'migrascope.io/v1alpha1',
  kind: 'MigrationCampaign',
  metadata: { name: 'study-safe-load', namespace: 'benchmarks' },
  spec: {
    mode: 'safeLoad',
    sweep: { users: { from: 100, to: 300, step: 100 } },
    repetitions: 5,
    template: {
      spec: {
        poolRef: { name: 'study-pool' },
        target: { vm: { nameLabel: 'olio-web' }, applicationUrl: 'http://olio-web.lab.example/' },
        migrations: { offsets: ['5m'] },
      },
    },
  },
});

/** An action's summary over 5 runs with the given worst max p90 and p99 (s), the means 10 % lower; broken when over the threshold. */
function action(name: string, thresholdSeconds: number, p90: number, p99: number): ActionSummary {
  const verdict = (s: number) => (s > thresholdSeconds ? ('Fail' as const) : ('Pass' as const));
  const over5Runs = (worst: number) => ({ worstMaxSeconds: worst, meanMaxSeconds: worst * 0.9, ci95MaxSeconds: { low: worst * 0.9 - 0.05, high: worst * 0.9 + 0.05 }, runsMeasured: 5 });
  return {
    action: name,
    count: 1000,
    errors: 0,
    thresholdSeconds,
    percentiles: [
      { percentile: 90, ...over5Runs(p90), violations: p90 > thresholdSeconds ? 4 : 0, verdict: verdict(p90) },
      { percentile: 99, ...over5Runs(p99), violations: p99 > thresholdSeconds ? 9 : 0, verdict: verdict(p99) },
    ],
    verdict: verdict(Math.max(p90, p99)),
  };
}

function summary(actions: ActionSummary[], downtime: number, recovery?: { p90: number; sla: number }): RunSummary {
  const failed = actions.some((a) => a.verdict === 'Fail');
  return {
    runs: 5,
    migrations: 5,
    meanMigrationSeconds: 40,
    maxMigrationSeconds: 44,
    meanDowntimeSeconds: downtime * 0.9,
    maxDowntimeSeconds: downtime,
    ...(recovery ? { maxRecoverySeconds: recovery.p90, maxSlaRecoverySeconds: recovery.sla } : {}),
    actions,
    verdicts: [
      { percentile: 90, verdict: 'Pass' },
      { percentile: 99, verdict: failed ? 'Fail' : 'Pass' },
    ],
    verdict: failed ? 'Fail' : 'Pass',
  };
}

const input: CampaignReportInput = {
  campaign,
  generatedAt: new Date(1_700_000_000_000),
  levels: [
    { users: 100, experiment: 'study-safe-load-100', summary: summary([action('HomePage', 1, 0.2, 0.5), action('AddEvent', 4, 1, 2)], 1.2, { p90: 1.5, sla: 0 }), verdict: 'Pass' },
    { users: 200, experiment: 'study-safe-load-200', summary: summary([action('HomePage', 1, 0.3, 0.9), action('AddEvent', 4, 1.5, 3.1)], 2.4, { p90: 4.2, sla: 6 }), verdict: 'Pass' },
    { users: 300, experiment: 'study-safe-load-300', summary: summary([action('HomePage', 1, 0.5, 1.84), action('AddEvent', 4, 2, 3.5)], 3.1), verdict: 'Fail' },
  ],
  recommendation: { users: 200, reason: 'migrate at up to 200 users (p99)' },
};

describe('Given a safeLoad campaign of three levels, the last breaking HomePage’s p99', () => {
  const html = renderCampaignReport(input);

  it('Then the levels x actions table holds per level the worst run\'s max p99 (Table 2), the mean ± its 95 % interval beside it, p90 below, the downtime and the longest recovery', () => {
    expect(tableRows(html, 'level-table')).toEqual([
      ['100', '✓ Pass', '0.5 s mean 0.45 s ± 0.05 s p90 0.2 s', '2 s mean 1.8 s ± 0.05 s p90 1 s', '1.2 s', '40 s', '1.5 s / 0 s'],
      ['200 recommended', '✓ Pass', '0.9 s mean 0.81 s ± 0.05 s p90 0.3 s', '3.1 s mean 2.79 s ± 0.05 s p90 1.5 s', '2.4 s', '40 s', '4.2 s / 6 s'],
      ['300', '✗ Fail', '1.84 s mean 1.66 s ± 0.05 s p90 0.5 s', '3.5 s mean 3.15 s ± 0.05 s p90 2 s', '3.1 s', '40 s', '– / –'],
    ]);
  });

  it('Then a cell over its threshold is red, the others not', () => {
    expect(html).toMatch(/<td class="over" data-action="HomePage" title="9 violating windows">1.84 s<span class="second">mean 1.66 s ± 0.05 s/);
    expect(html).toMatch(/<td class="under" data-action="AddEvent" title="[^"]*">3.5 s/);
  });

  it('Then the recommended level’s row is highlighted and the recommendation is the headline', () => {
    expect(rowTag(html, 'data-users', '200')).toContain('class="recommended"');
    expect(rowTag(html, 'data-users', '300')).not.toContain('recommended');
    expect(html).toMatch(/<div class="recommendation" data-users="200"><div class="users">200 <small>users<\/small><\/div><div><div class="what">Safe load for migrating \(p99\)<\/div><div>migrate at up to 200 users \(p99\)<\/div>/);
  });

  it('Then the chart draws each action against its threshold, marking the level over it and the recommended one', () => {
    const [svg] = svgsOf(html);
    const elements = svgElements(svg!);
    const points = elements.filter((e) => e.name === 'circle');
    expect(points).toHaveLength(6);
    const titleOf = (point: (typeof elements)[number]) => elements[elements.indexOf(point) + 1]!.text;
    expect(points.filter((p) => p.attributes.class?.includes('over')).map(titleOf)).toEqual(['HomePage at 300 users: 1.84 s (184 % of 1 s)']);
    expect(elements.filter((e) => e.attributes.class === 'recommended-band')).toHaveLength(1);
    expect(elements.find((e) => e.attributes.class?.includes('recommended-tick'))?.text).toBe('200');
  });
});

describe('Given a capacity campaign in which no level passed', () => {
  const capacity = parseCampaign({
    ...campaign,
    spec: { ...campaign.spec, mode: 'capacity', template: { spec: { ...campaign.spec.template.spec, migrations: undefined } } },
  });
  const html = renderCampaignReport({ ...input, campaign: capacity, recommendation: { reason: 'no level met the p99 SLA' } });

  it('Then the headline says none, with the reason, and no row is highlighted', () => {
    expect(html).toMatch(/<div class="recommendation none" data-users=""><div class="users">none<\/div><div><div class="what">Capacity \(p99\)/);
    expect(html).toContain('no level met the p99 SLA');
    expect(html).not.toContain('class="recommended"');
  });
});

describe('Given a level not run yet', () => {
  const html = renderCampaignReport({ ...input, levels: [...input.levels, { users: 400, experiment: 'study-safe-load-400', phase: 'Pending' }] });

  it('Then its row says so, with no figures', () => {
    expect(tableRows(html, 'level-table').at(-1)).toEqual(['400', 'Pending', '–', '–', '–', '–', '– / –']);
  });
});

describe('Given a grid of spacing (rows) by users (columns), its recommendation per spacing', () => {
  const grid = parseCampaign({
    ...campaign,
    metadata: { name: 'spacing-grid' },
    spec: {
      ...campaign.spec,
      sweep: { users: { values: [100, 200] }, spacing: { values: ['2m', '8m'] } },
      template: { spec: { ...campaign.spec.template.spec, workload: { steadyState: '20m' }, migrations: { count: 2, first: '5m', spacing: '4m' } } },
    },
  });
  const cell = (spacing: string, users: number, p99: number) => ({
    users,
    settings: { spacing, users },
    experiment: `spacing-grid-${users}u-sp${spacing}`,
    summary: summary([action('HomePage', 1, 0.2, p99)], 1),
    verdict: p99 > 1 ? ('Fail' as const) : ('Pass' as const),
  });
  const html = renderCampaignReport({
    campaign: grid,
    generatedAt: new Date(1_700_000_000_000),
    levels: [cell('2m', 100, 0.6), cell('2m', 200, 1.5), cell('8m', 100, 0.4), cell('8m', 200, 0.8)],
    recommendation: {
      reason: 'migrate safely, keeping the p99 SLA: spacing 2m: up to 100 users; spacing 8m: up to 200 users',
      rows: [
        { row: { spacing: '2m' }, level: { spacing: '2m', users: 100 } },
        { row: { spacing: '8m' }, level: { spacing: '8m', users: 200 } },
      ],
    },
  });

  it('Then the grid has a row per spacing and a column per user count, each cell the verdict and the worst share of the SLA', () => {
    expect(tableRows(html, 'grid-table')).toEqual([
      ['2m', 'Pass 60 %', 'Fail 150 %'],
      ['8m', 'Pass 40 %', 'Pass 80 %'],
    ]);
    expect(html.match(/<td class="[^"]*recommended"/g)).toHaveLength(2);
  });

  it('Then the levels table leads with both swept fields and highlights each row’s recommended level', () => {
    expect(tableRows(html, 'level-table').map((row) => row.slice(0, 3))).toEqual([
      ['100', '2m recommended', '✓ Pass'],
      ['200', '2m', '✗ Fail'],
      ['100', '8m', '✓ Pass'],
      ['200', '8m recommended', '✓ Pass'],
    ]);
    expect(html).toContain('users 100, 200 × spacing 2m, 8m');
    expect(html).toContain('<div class="users">by row</div>');
  });
});

describe('Given a campaign report rebuilt from its results file', () => {
  it('then the notice saying so is under the title, and absent otherwise', () => {
    const notice = 'The MigrationCampaign is gone; this report is rebuilt from its results file (written 2026-12-03T09:00:00.000Z).';
    const page = renderCampaignReport({ ...input, notice });
    expect(page).toContain(`<p class="message notice">${notice}</p>`);
    expect(page.indexOf(notice)).toBeLessThan(page.indexOf('id="levels"'));
    expect(renderCampaignReport(input)).not.toContain('class="message notice"');
  });
});
