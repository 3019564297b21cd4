// An experiment with a baseline run, for real: on the testbed, with a local Redis and in-process
// workers, the engine runs the load once without migrating, then the measured runs with their
// migration; status carries the baseline run, and the slowdown and extra violating windows are
// recomputed here from the runs' own figures in status. The table `migrascope run` prints and the
// reports (written by `run --report`, served by the controller from Redis) are made from the same
// real runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionResult, MigrationExperimentStatus, RunResult } from '../../src/api/v1alpha1/index.ts';
import { RunProgress } from '../../src/cli/run-progress.ts';
import { describeExperiment, type ExperimentRecord } from '../../src/cli/run-summary.ts';
import { experimentInput } from '../../src/controller/reports.ts';
import type { StoredObject } from '../../src/controller/resources.ts';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import { renderExperimentReport } from '../../src/report/index.ts';
import { crashEngineAndTakeOver, shortExperiment, startEngineHarness, type EngineHarness } from '../support/engine.ts';
import { waitFor } from '../support/processes.ts';
import { runDocuments } from '../../src/cli/run-results.ts';
import { decodeResults, encodeResults, renderResults } from '../../src/results/index.ts';

const PAUSE_MS = 2000;

describe('given the testbed, a local Redis and in-process workers', () => {
  let harness: EngineHarness;
  let status: MigrationExperimentStatus;
  let record: ExperimentRecord;
  const events: string[] = [];
  const ref = { uid: 'exp-baseline', namespace: 'test', name: 'with-baseline' };

  beforeAll(async () => {
    harness = await startEngineHarness();
    const short = shortExperiment(harness, { name: ref.name, users: 10, steady: '20s', window: '5s', migrations: { offsets: ['8s'], destination: { policy: 'roundRobin' }, timeout: '1m' } });
    const experiment = { ...short, spec: { ...short.spec, repetitions: 2, pauseBetweenRuns: `${PAUSE_MS}ms`, baseline: { enabled: true } } };
    record = { experiment, runs: [], status: {} };
    // The observer `migrascope run` gives the engine: it files the baseline run apart from the runs.
    const observer = new RunProgress(false).observer(experiment, record);
    const runner = new ExperimentRunner(experiment, ref, harness.deps, { ...observer, onEvent: (event) => void events.push(`${event.reason}: ${event.message}`) });
    status = await runner.run();
    record.status = status;
  }, 240_000);
  afterAll(async () => harness?.close());

  it('when the experiment asks for a baseline, then the baseline run comes first, migrates nothing, and the measured runs follow pauseBetweenRuns later', () => {
    expect(status.phase).toBe('Succeeded');
    const baseline = status.baseline?.run;
    expect(baseline).toMatchObject({ index: 0, state: 'Succeeded', migrations: [] });
    expect(status.runs?.map((run) => run.index)).toEqual([1, 2]);
    expect(status.completedRuns).toBe(2);
    expect(status.summary?.runs).toBe(2);

    // The testbed migrated the VM once per measured run, never while the baseline ran.
    const baselineEnd = Date.parse(baseline?.endTime ?? '');
    expect(harness.migrations).toHaveLength(2);
    for (const migration of harness.migrations) expect(migration.timeline.startedAt).toBeGreaterThan(baselineEnd);
    const firstRunStart = Date.parse(status.runs?.[0]?.startTime ?? '');
    expect(firstRunStart - baselineEnd).toBeGreaterThanOrEqual(PAUSE_MS);
    for (const migration of status.runs?.flatMap((run) => run.migrations ?? []) ?? []) {
      expect(migration.state).toBe('Succeeded');
      expect(Date.parse(migration.startTime ?? '')).toBeGreaterThan(baselineEnd);
    }
    expect(events.filter((e) => e.startsWith('RunStarted'))).toEqual(['RunStarted: the baseline run (the same load, no migration) starts', 'RunStarted: run 1 of 2 starts', 'RunStarted: run 2 of 2 starts']);

    // The same load: the baseline measured the same actions in steady state, nothing failed.
    const measured = (run: RunResult | undefined) => (run?.actions ?? []).filter((a) => a.count > 0).map((a) => a.action).sort();
    expect(measured(baseline)).toEqual(expect.arrayContaining(['EventDetail', 'HomePage', 'TagSearch']));
    expect(baseline?.actions?.reduce((sum, a) => sum + a.count, 0)).toBeGreaterThan(100);
    for (const action of baseline?.actions ?? []) expect(action.errors).toBe(0);
    expect(record.baseline?.outcome.migrations).toEqual([]);
    expect(record.baseline?.outcome.seconds.length).toBeGreaterThan(20);
    expect(record.runs.map((run) => run.result.index)).toEqual([1, 2]);
  });

  it('then the slowdown and the extra violating windows are those of the runs in status, recomputed from their figures', () => {
    const compared = status.baseline?.actions ?? [];
    expect(compared.length).toBeGreaterThan(0);
    const runs = status.runs ?? [];
    const percentileOf = (action: ActionResult | undefined, p: number) => action?.percentiles.find((x) => x.percentile === p);
    let checked = 0;
    for (const action of compared) {
      const without = status.baseline?.run.actions?.find((a) => a.action === action.action);
      for (const p of action.percentiles) {
        const inRuns = runs.map((run) => percentileOf(run.actions?.find((a) => a.action === action.action), p.percentile));
        const maxima = inRuns.map((x) => x?.maxSeconds).filter((s): s is number => s !== undefined);
        const baselineMax = percentileOf(without, p.percentile)?.maxSeconds;
        const meanViolations = inRuns.reduce((sum, x) => sum + (x?.violations ?? 0), 0) / runs.length;
        const baselineViolations = percentileOf(without, p.percentile)?.violations ?? -1;
        expect(p.baselineMaxSeconds).toBe(baselineMax);
        expect(p.baselineViolations).toBe(baselineViolations);
        expect(p.meanViolations).toBeCloseTo(meanViolations, 12);
        expect(p.extraViolations).toBeCloseTo(meanViolations - baselineViolations, 12);
        if (maxima.length === 0 || baselineMax === undefined) continue;
        const mean = maxima.reduce((sum, s) => sum + s, 0) / maxima.length;
        expect(p.meanMaxSeconds).toBeCloseTo(mean, 12);
        expect(p.slowdownSeconds).toBeCloseTo(mean - baselineMax, 12);
        if (baselineMax > 0) expect(p.slowdown).toBeCloseTo(mean / baselineMax, 12);
        checked += 1;
      }
    }
    // Each measured action has both percentiles compared.
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('then `migrascope run` prints the comparison and the report shows the baseline run with its charts, from the run and from Redis alike', async () => {
    const text = describeExperiment(record);
    expect(text).toContain('baseline run (no migration): Succeeded');
    const homeP99 = status.baseline?.actions?.find((a) => a.action === 'HomePage')?.percentiles.find((p) => p.percentile === 99);
    expect(text).toMatch(new RegExp(`HomePage\\s+p99\\s+${homeP99?.baselineMaxSeconds?.toFixed(3)}s\\s+${homeP99?.meanMaxSeconds?.toFixed(3)}s`));

    const written = renderExperimentReport({
      experiment: { ...record.experiment, status },
      runs: [],
      baseline: {
        result: record.baseline!.result,
        plan: record.baseline!.plan,
        seconds: record.baseline!.outcome.seconds,
        migrations: [],
      },
      generatedAt: new Date(),
    });
    expect(written).toContain('Baseline: the same load without migration');
    expect(written).toMatch(/<section class="card run" id="baseline-run" data-run="0">[\s\S]*<svg/);

    // The controller serves the same from the object's status and the runs' streams in Redis.
    const object = { apiVersion: 'migrascope.io/v1alpha1', kind: 'MigrationExperiment', metadata: { ...record.experiment.metadata, uid: ref.uid }, spec: record.experiment.spec, status } as StoredObject;
    const served = await experimentInput({ redis: harness.client, prefix: harness.prefix, experiments: { get: () => undefined, list: () => [] }, campaigns: { get: () => undefined, list: () => [] } }, object);
    expect(served.notice).toBeUndefined();
    expect(served.baseline?.result.index).toBe(0);
    expect(served.baseline?.seconds.length).toBe(record.baseline?.outcome.seconds.length);
    expect(renderExperimentReport(served)).toMatch(/id="baseline-run"[\s\S]*<svg/);

    // The results file keeps the baseline run: the report rebuilt from it once the object is gone still draws it.
    const [document] = runDocuments([record], []);
    const kept = decodeResults(encodeResults(document!.document), 'baseline.results.json.gz');
    expect(renderResults(kept, { generatedAt: new Date() })).toMatch(/id="baseline-run" data-run="0">[\s\S]*<svg/);
  });

  it('when the load alone breaks the SLA the experiment aborts on, then the baseline run stops it: no measured run, no migration', async () => {
    const short = shortExperiment(harness, { name: 'baseline-breaks', users: 10, steady: '30s', window: '2s', abort: 'p99', migrations: { offsets: ['20s'], timeout: '1m' } });
    const thresholds = { ...short.spec.sla.thresholds, HomePage: '1ms', EventDetail: '1ms', TagSearch: '1ms' };
    const experiment = { ...short, spec: { ...short.spec, sla: { ...short.spec.sla, thresholds }, baseline: { enabled: true } } };
    const before = harness.migrations.length;
    const broken = await new ExperimentRunner(experiment, { uid: 'exp-baseline-breaks', namespace: 'test', name: 'baseline-breaks' }, harness.deps).run();

    expect(broken.phase).toBe('Aborted');
    expect(broken.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'SlaViolated' });
    expect(broken.conditions?.find((c) => c.type === 'Ready')?.message).toMatch(/^the baseline run: SLA violated/);
    expect(broken.baseline?.run).toMatchObject({ index: 0, state: 'Aborted' });
    expect(broken.runs ?? []).toEqual([]);
    expect(broken.baseline?.actions).toBeUndefined();
    expect(harness.migrations.length).toBe(before);
  });
});

describe('given an engine process in the middle of a baseline run', () => {
  let harness: EngineHarness;

  beforeAll(async () => {
    harness = await startEngineHarness({ workers: false });
  });
  afterAll(async () => harness?.close());

  it('when it is killed and another engine takes over, then the baseline run is resumed (not run again) and the measured run follows', async () => {
    const short = shortExperiment(harness, { name: 'baseline-restarted', users: 10, steady: '10s', window: '3s', migrations: { offsets: ['4s'], destination: { policy: 'roundRobin' }, timeout: '1m' } });
    const experiment = { ...short, spec: { ...short.spec, baseline: { enabled: true } } };
    const ref = { uid: 'exp-baseline-restart', namespace: 'test', name: 'baseline-restarted' };
    // Killed once the baseline run (run 0) has streamed a few seconds of steady load.
    const keys = new RunKeys(harness.prefix, ref, 0);
    const { status, killedAt, recordedBeforeKill, recorded } = await crashEngineAndTakeOver(harness, experiment, ref, {
      run: 0,
      crashWhen: () => waitFor('the baseline run streaming its seconds', async () => (await harness.client.xlen(keys.seconds)) >= 6, 60_000),
    });

    expect(status.phase).toBe('Succeeded');
    expect(status.baseline?.run).toMatchObject({ index: 0, state: 'Succeeded', migrations: [] });
    // The same baseline run: it started before the kill and kept what was recorded before it.
    expect(Date.parse(status.baseline?.run.startTime ?? '')).toBeLessThan(killedAt);
    expect(await recorded()).toBeGreaterThanOrEqual(recordedBeforeKill);
    expect(status.runs?.map((run) => run.index)).toEqual([1]);
    expect(harness.migrations).toHaveLength(1);
    expect(harness.migrations[0]?.timeline.startedAt).toBeGreaterThan(Date.parse(status.baseline?.run.endTime ?? ''));
    expect(status.baseline?.actions?.length).toBeGreaterThan(0);
  });
});
