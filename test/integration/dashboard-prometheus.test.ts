// Every query of the dashboard (src/metrics/dashboard.ts), run by a real Prometheus over the
// metrics of a real testbed run, with the variables substituted as Grafana would: each panel's
// every query returns series with values, and they are the run's experiment (the $namespace and
// $experiment selectors match what the engine exports).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXPERIMENT, NAMESPACE, runDashboardExperiment, type DashboardRun, type QueryData } from '../support/dashboard-run.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

/** Points with a number (not NaN: a rate over a window without the event divides 0 by 0). */
function finitePoints(data: QueryData): number {
  return data.series.flatMap((series) => series.values).filter(([, value]) => Number.isFinite(Number(value))).length;
}

describe('given a testbed run with one migration whose metrics a real Prometheus scraped every second', () => {
  let run: DashboardRun;

  beforeAll(async () => {
    run = await runDashboardExperiment();
  });
  afterAll(async () => run?.close());

  it('when the variables are substituted as Grafana does, then $__rate_interval covers four scrapes and the selectors name the experiment', () => {
    expect(run.variables).toMatchObject({ $__rate_interval: '4s', $__interval: '1s', $namespace: NAMESPACE, $experiment: EXPERIMENT });
    for (const panel of run.panels) for (const query of panel.queries) expect(query.expr).not.toMatch(/\$\w/);
  });

  it('when every panel query is run over the run, then each returns series with values', () => {
    // The migration's recovery is observed only when every action was back before the end of
    // steady state (docs/metrics.md); on a loaded machine one may not be, and then that panel is
    // rightly empty. Which it is, status says.
    const recovered = run.status.runs?.[0]?.migrations?.[0]?.recovery?.seconds !== undefined;
    const mayBeEmpty = (title: string) => title === 'Recovery time' && !recovered;
    const empty = run.panels.flatMap((panel) =>
      panel.queries.filter((query) => finitePoints(query) === 0 && !mayBeEmpty(panel.panel.title)).map((query) => `${panel.panel.title}: ${query.expr}`),
    );
    expect(empty).toEqual([]);
    const recoveryPanel = run.panels.find((panel) => panel.panel.title === 'Recovery time')!;
    expect(finitePoints(recoveryPanel.queries[0]!) > 0).toBe(recovered);
    expect(run.panels.length).toBeGreaterThanOrEqual(14);
  });

  it('when the experiment panels are read, then their series are the experiment, with the migration in them', () => {
    const panel = (title: string) => run.panels.find((p) => p.panel.title === title)!;
    const values = (data: QueryData) => data.series.flatMap((series) => series.values.map(([, value]) => Number(value))).filter(Number.isFinite);
    // The threshold line: HomePage's 1 s, set when the run started.
    const threshold = panel('Windowed response time vs SLA threshold').queries[1]!;
    expect(threshold.series.find((s) => s.metric.action === 'HomePage')?.values.at(-1)?.[1]).toBe('1');
    expect(Math.max(...values(panel('Migrations in flight').queries[0]!))).toBe(1);
    const progress = values(panel('Migration progress').queries[0]!);
    expect(Math.max(...progress)).toBeGreaterThan(0);
    expect(Math.max(...progress)).toBeLessThanOrEqual(1);
    const downtime = panel('Downtime seen by clients vs model').queries[0]!;
    expect(downtime.series.map((s) => s.metric.source).sort()).toEqual(['client', 'model']);
    const clientDowntime = Math.max(...values({ ...downtime, series: downtime.series.filter((s) => s.metric.source === 'client') }));
    expect(clientDowntime).toBeCloseTo(run.status.runs?.[0]?.migrations?.[0]?.downtimeSeconds ?? -1, 3);
    expect(Math.max(...values(panel('Migration time').queries[1]!))).toBeCloseTo(run.status.runs?.[0]?.migrations?.[0]?.durationSeconds ?? -1, 3);
    expect(panel('Migrations by result').queries[0]!.series.map((s) => s.metric.result)).toContain('succeeded');
    const phases = new Set(panel('Experiment phase').queries[0]!.series.map((s) => s.metric.phase));
    for (const phase of ['RampUp', 'SteadyState', 'Migrating', 'Succeeded']) expect(phases).toContain(phase);
    for (const series of panel('Experiment phase').queries[0]!.series) expect(series.metric).toMatchObject({ namespace: NAMESPACE, experiment: EXPERIMENT });
  });

  it('when the migration annotation is evaluated, then it marks the migration', () => {
    expect(run.annotations).toHaveLength(1);
    expect(finitePoints(run.annotations[0]!)).toBeGreaterThan(0);
  });
});
