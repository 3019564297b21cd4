import { describe, expect, it } from 'vitest';
import { baselineResult } from '../engine/baseline-comparison.ts';
import { renderExperimentReport } from './experiment-report.ts';
import { tableRows } from './testing/reading.ts';
import { RUN_START_MS, summaryOf, syntheticExperiment, syntheticRun } from './testing/synthetic.ts';

describe('Given an experiment with a baseline run and a run with one migration', () => {
  const experiment = syntheticExperiment({ baseline: { enabled: true } });
  const baseline = syntheticRun(experiment, { index: 0 });
  const measured = syntheticRun(experiment, { index: 1, startAtMs: RUN_START_MS + 3_600_000, migrations: [{ offset: 300, duration: 44, downtime: 3, source: 'xen-a', destination: 'xen-b' }] });
  const status = { phase: 'Succeeded' as const, runs: [measured.result], baseline: baselineResult(baseline.result, summaryOf([measured.result])) };
  const html = renderExperimentReport({ experiment: { ...experiment, status }, runs: [measured], baseline, generatedAt: new Date(RUN_START_MS + 7_200_000) });

  it('When the report is rendered, Then a Baseline section compares each action, percentile by percentile, as status says', () => {
    expect(html).toContain('<a href="#baseline">Baseline</a>');
    const rows = tableRows(html, 'actions baseline');
    expect(rows.map((row) => row[0])).toEqual(status.baseline.actions?.map((a) => a.action));
    const home = status.baseline.actions?.find((a) => a.action === 'HomePage');
    const p99 = home?.percentiles.find((p) => p.percentile === 99);
    const row = rows.find((r) => r[0] === 'HomePage')!;
    // Action, then per percentile (90, 99): baseline max, mean max, slowdown, violating windows, extra.
    expect(row).toHaveLength(11);
    expect(row[8]).toContain(`× ${p99?.slowdown?.toFixed(2)}`);
    expect(row[9]).toBe(`${p99?.baselineViolations} → ${p99?.meanViolations}`);
    expect(p99?.slowdown).toBeGreaterThan(1);
  });

  it('Then the baseline run is drawn as a run of its own, without a migration', () => {
    const section = /<section class="card run" id="baseline-run" data-run="0">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(section).toContain('<h2>Baseline run (no migration)</h2>');
    expect(section).toContain('No migration in this run');
    expect(section).toContain('<svg');
  });

  it('When the experiment has no baseline, Then the report has no Baseline section', () => {
    const plain = renderExperimentReport({ experiment: { ...experiment, status: { phase: 'Succeeded', runs: [measured.result] } }, runs: [measured], generatedAt: new Date(RUN_START_MS) });
    expect(plain).not.toContain('id="baseline"');
  });
});
