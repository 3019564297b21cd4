// A two-host pool, the one users most often have and the study's own: with no third host to go
// to, the automatic policies alternate the VM between the two hosts, migration after migration
// within a run and run after run (docs/resources.md, Migrations). Real Redis, the testbed's XAPI,
// the engine's workers; the testbed's own reports say where the VM really went.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import type { ExperimentRecord } from '../../src/cli/run-summary.ts';
import { writeReport } from '../../src/cli/run-report.ts';
import { keepResults, runDocuments } from '../../src/cli/run-results.ts';
import { averagedActions, firstMigrationAt } from '../../src/report/aligned-average.ts';
import { runSeries } from '../../src/report/series.ts';
import type { MigrationReport } from '../../src/testbed/index.ts';
import { shortExperiment, startEngineHarness, type EngineHarness } from '../support/engine.ts';

describe('given a testbed pool of two hosts, a local Redis and in-process workers', () => {
  let harness: EngineHarness;
  const migrations: MigrationReport[] = [];

  beforeAll(async () => {
    harness = await startEngineHarness({ hosts: 2 });
    harness.testbed.migrations.on('migration', (report) => migrations.push(report));
  });
  afterAll(async () => harness?.close());

  it('when an experiment of two runs migrates twice per run round-robin, then every migration succeeds and the VM alternates between the hosts', async () => {
    const base = shortExperiment(harness, { name: 'two-hosts', users: 6, steady: '14s', migrations: { offsets: ['3s', '9s'], destination: { policy: 'roundRobin' }, timeout: '1m' } });
    const experiment = { ...base, spec: { ...base.spec, repetitions: 2 } };
    const finished: ExperimentRecord['runs'] = [];
    const runner = new ExperimentRunner(experiment, { uid: 'exp-two-hosts', namespace: 'test', name: 'two-hosts' }, harness.deps, {
      onRunFinished: (result, outcome, plan) => void finished.push({ result, outcome, plan }),
    });
    const status = await runner.run();

    expect(status.phase).toBe('Succeeded');
    const recorded = (status.runs ?? []).flatMap((run) => run.migrations ?? []);
    expect(recorded.map((migration) => migration.state)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
    const hops = ['h1 -> h2', 'h2 -> h1', 'h1 -> h2', 'h2 -> h1'];
    expect(recorded.map((migration) => `${migration.source} -> ${migration.destination}`)).toEqual(hops);
    expect(migrations.map((report) => `${report.source} -> ${report.destination}`)).toEqual(hops);
    expect(status.summary?.migrations).toBe(4);

    // Across the two real runs, per action and percentile: the worst run's windowed maximum (Table 2),
    // the mean, the sample sd and the 95 % interval with Student's t for 1 degree of freedom (12.706).
    const judged = (status.summary?.actions ?? []).flatMap((action) => action.percentiles.map((p) => ({ action: action.action, ...p })));
    expect(judged.length).toBeGreaterThan(0);
    for (const summary of judged) {
      const maxima = (status.runs ?? []).map((run) => run.actions?.find((a) => a.action === summary.action)?.percentiles.find((p) => p.percentile === summary.percentile)?.maxSeconds);
      if (maxima.some((m) => m === undefined)) continue;
      const [a, b] = maxima as [number, number];
      const mean = (a + b) / 2;
      const sd = Math.abs(a - b) / Math.SQRT2;
      expect(summary.worstMaxSeconds).toBe(Math.max(a, b));
      expect(summary.meanMaxSeconds).toBeCloseTo(mean, 9);
      expect(summary.stdDevMaxSeconds).toBeCloseTo(sd, 9);
      expect(summary.runsMeasured).toBe(2);
      expect(summary.ci95MaxSeconds?.high).toBeCloseTo(mean + 12.7062 * (sd / Math.SQRT2), 3);
      expect(summary.ci95MaxSeconds?.low).toBeCloseTo(Math.max(0, mean - 12.7062 * (sd / Math.SQRT2)), 3);
    }

    // Figure 3 from the two real runs: per action the windowed curves averaged, aligned at each
    // run's first migration; every point is the mean of the two runs at that offset.
    const drawn = finished.map(({ result, outcome, plan }) => {
      const run = { result, plan, seconds: outcome.seconds, migrations: outcome.migrations.map((m) => ({ index: m.index, state: m.state, ...(m.startTime ? { startMs: Date.parse(m.startTime) } : {}) })) };
      return { run, series: runSeries(run.seconds, plan, runner.experiment.spec.sla) };
    });
    const averaged = averagedActions(drawn, 1);
    expect(averaged.runs).toBe(2);
    const home = averaged.actions.find((a) => a.action === 'HomePage')?.percentiles['90'];
    expect(home?.offsets.length).toBeGreaterThan(5);
    home!.offsets.forEach((offset, k) => {
      const values = drawn.map(({ run, series }) => {
        const own = series.actions.find((a) => a.action === 'HomePage')!;
        return own.windowed['90']![own.windowEnds.findIndex((end) => Math.round(end - firstMigrationAt(run)!) === offset)]!;
      });
      expect(home!.mean[k]).toBeCloseTo((values[0]! + values[1]!) / 2, 9);
      expect(home!.stdDev[k]).toBeCloseTo(Math.abs(values[0]! - values[1]!) / Math.SQRT2, 9);
    });
    const [file] = await writeReport(join(harness.redis.dataDir, 'two-hosts.html'), await keepResults(harness.redis.dataDir, runDocuments([{ experiment: runner.experiment, runs: finished, status }], [])));
    const html = await readFile(file!, 'utf8');
    expect(html).toContain('Averaged over 2 runs, aligned at the migration');
    expect(html).toContain('<figure data-averaged="HomePage">');
  });
});
