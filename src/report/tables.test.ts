import { describe, expect, it } from 'vitest';
import type { ActionResult, RunSummary } from '../api/v1alpha1/index.ts';
import { actionTable, migrationRows, migrationTable, summaryTable } from './tables.ts';
import { tableRows } from './testing/reading.ts';

const T0 = 1_700_000_000_000;
const plan = { startAtMs: T0, steadyStartMs: T0 + 120_000, steadyEndMs: T0 + 720_000, endMs: T0 + 750_000 };

const homePage: ActionResult = {
  action: 'HomePage',
  count: 20_864,
  errors: 0,
  thresholdSeconds: 1,
  percentiles: [
    { percentile: 90, maxSeconds: 0.412, violations: 0, verdict: 'Pass' },
    { percentile: 99, maxSeconds: 1.84, violations: 37, verdict: 'Fail' },
  ],
  verdict: 'Fail',
};
const addEvent: ActionResult = {
  action: 'AddEvent',
  count: 1660,
  errors: 3,
  thresholdSeconds: 4,
  percentiles: [
    { percentile: 90, maxSeconds: 2.47, violations: 0, verdict: 'Pass' },
    { percentile: 99, maxSeconds: 3.96, violations: 0, verdict: 'Pass' },
  ],
  verdict: 'Pass',
};

describe('Given two actions as the engine judged them', () => {
  const markup = actionTable([homePage, addEvent], [90, 99]).text;

  it('Then each has a row: count, errors, max p90, max p99, threshold, violations per percentile, verdict', () => {
    expect(tableRows(markup, 'actions')).toEqual([
      ['HomePage', '20,864', '0', '0.41 s', '1.84 s', '1 s', '0', '37', '✗ Fail'],
      ['AddEvent', '1,660', '3', '2.47 s', '3.96 s', '4 s', '0', '0', '✓ Pass'],
    ]);
  });

  it('Then the broken percentile’s cell is marked over, the kept ones under', () => {
    expect(markup).toMatch(/<td class="num over" title="184 % of the threshold">1.84 s<\/td>/);
    expect(markup).toMatch(/<td class="num under" title="41 % of the threshold">0.41 s<\/td>/);
  });

  it('Then an empty list says that nothing completed', () => {
    expect(actionTable([], [90, 99]).text).toContain('No action completed in steady state');
  });
});

describe('Given a migration seen by the engine and its status entry', () => {
  const instants = [
    {
      index: 1,
      startMs: T0 + 420_000,
      endMs: T0 + 464_000,
      downtimeStartMs: T0 + 460_000,
      downtimeEndMs: T0 + 463_000,
      source: 'xen-a',
      destination: 'xen-b',
      durationSeconds: 44,
      downtimeSeconds: 3,
      modelDowntimeSeconds: 2.96,
      state: 'Succeeded',
    },
  ];
  const results = [
    { index: 1, offset: '5m', state: 'Succeeded' as const },
    { index: 2, offset: '8m', state: 'Cancelled' as const, message: 'the run was aborted' },
  ];

  describe('When the migrations table is made', () => {
    const rows = migrationRows(plan, instants, results);

    it('Then the start is given into steady state and on the run’s time axis', () => {
      expect(rows[0]).toMatchObject({ index: 1, route: 'xen-a → xen-b', offsetSeconds: 300, atSeconds: 420, durationSeconds: 44, downtimeSeconds: 3, modelDowntimeSeconds: 2.96 });
    });

    it('Then a migration that never started keeps its planned offset and its state', () => {
      expect(rows[1]).toMatchObject({ index: 2, state: 'Cancelled', offsetSeconds: 480, atSeconds: undefined, route: '? → ?' });
    });

    it('Then the table lists both, with the model’s downtime since the pool is simulated', () => {
      expect(tableRows(migrationTable(rows).text, 'migrations')).toEqual([
        ['M1', 'xen-a → xen-b', 'Succeeded', '5:00', '7:00', '44 s', '3 s', '2.96 s'],
        ['M2', '? → ?', 'Cancelled', '8:00', '–', '–', '–', '–'],
      ]);
    });
  });

  it('Then without migrations the table says the run was the load alone', () => {
    expect(migrationTable([]).text).toContain('No migration in this run');
  });

  it('Then when the run moved two VMs, a VM column names each migration’s', () => {
    const rows = migrationRows(plan, instants, [
      { ...results[0]!, vm: 'web' },
      { ...results[1]!, vm: 'db' },
    ]);
    expect(tableRows(migrationTable(rows).text, 'migrations').map((row) => row.slice(0, 3))).toEqual([
      ['M1', 'web', 'xen-a → xen-b'],
      ['M2', 'db', '? → ?'],
    ]);
  });

  it('Then on a real pool (no model) there is no model column', () => {
    const rows = migrationRows(plan, [{ ...instants[0]!, modelDowntimeSeconds: undefined }], []);
    expect(migrationTable(rows).text).not.toContain('Downtime by model');
  });
});

describe('Given a summary of three runs', () => {
  const summary: RunSummary = {
    runs: 3,
    migrations: 3,
    actions: [
      {
        action: 'HomePage',
        count: 62_000,
        errors: 1,
        thresholdSeconds: 1,
        percentiles: [
          { percentile: 90, meanMaxSeconds: 0.4, worstMaxSeconds: 0.45, stdDevMaxSeconds: 0.05, ci95MaxSeconds: { low: 0.28, high: 0.52 }, runsMeasured: 3, violations: 0, verdict: 'Pass' },
          { percentile: 99, meanMaxSeconds: 0.95, worstMaxSeconds: 1.3, stdDevMaxSeconds: 0.3, ci95MaxSeconds: { low: 0.2, high: 1.7 }, runsMeasured: 3, violations: 12, verdict: 'Fail' },
        ],
        verdict: 'Fail',
      },
    ],
  };

  it('Then per percentile the worst of the runs’ maxima (Table 2) is shown, red when broken, and beside it the mean ± its 95 % interval', () => {
    const markup = summaryTable(summary, [90, 99]).text;
    expect(tableRows(markup, 'actions')).toEqual([['HomePage', '62,000', '1', '0.45 s', '0.4 s ± 0.12 s', '1.3 s', '0.95 s ± 0.75 s', '1 s', '0', '12', '✗ Fail']]);
    // The mean stays under the threshold even though one run broke it; the interval's ends and sd are in its title.
    expect(markup).toMatch(/<td class="num over"[^>]*>1.3 s<\/td><td class="num under" title="95 % CI 0.2 s – 1.7 s, sd 0.3 s, 3 runs">0.95 s ± 0.75 s<\/td>/);
  });
});
