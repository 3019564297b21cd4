import { describe, expect, it } from 'vitest';
import { Sla, type RunResult } from '../api/v1alpha1/index.ts';
import { newHistogram, type SecondSnapshot } from '../recording/index.ts';
import { analyzeRun, summarizeRuns } from './run-analysis.ts';

const T0 = 1_700_000_000_000;
const plan = { steadyStartMs: T0, steadyEndMs: T0 + 60_000 };
const sla = Sla.parse({ window: '10s', thresholds: { HomePage: '1s', Login: '1s' } });

/** One steady second: Login succeeds in 200 ms, every HomePage fails (an app that refuses it). */
function second(index: number): SecondSnapshot {
  const login = newHistogram();
  login.recordValue(200_000);
  return {
    second: T0 / 1000 + index,
    actions: { Login: { histogram: login, ok: 1, errors: {} }, HomePage: { histogram: newHistogram(), ok: 0, errors: { connect: 3 } } },
  };
}

describe('Given a run in which every HomePage failed and Login kept its threshold', () => {
  const analysis = analyzeRun(
    Array.from({ length: 60 }, (_, s) => second(s)),
    sla,
    plan,
  );
  const home = analysis.actions.find((action) => action.action === 'HomePage')!;

  it('When its status is written, Then HomePage reads NoData at every percentile, not Pass', () => {
    expect(home).toMatchObject({ count: 180, errors: 180, verdict: 'NoData' });
    expect(home.percentiles.map((p) => p.verdict)).toEqual(['NoData', 'NoData']);
    expect(analysis.actions.find((action) => action.action === 'Login')?.verdict).toBe('Pass');
  });

  it('Then the run has not met the SLA', () => {
    expect(analysis.verdicts).toEqual([
      { percentile: 90, verdict: 'Fail' },
      { percentile: 99, verdict: 'Fail' },
    ]);
    expect(analysis.verdict).toBe('Fail');
  });

  it('When runs are summarised, Then the action reads NoData and the experiment fails', () => {
    const summary = summarizeRuns([{ index: 1, state: 'Succeeded', actions: analysis.actions, verdicts: analysis.verdicts, verdict: analysis.verdict }]);
    expect(summary.actions?.find((action) => action.action === 'HomePage')?.verdict).toBe('NoData');
    expect(summary.verdicts?.map((v) => v.verdict)).toEqual(['Fail', 'Fail']);
    expect(summary.verdict).toBe('Fail');
  });
});

/** A finished run whose HomePage p99 maximum was `p99` s (threshold 1 s), with one migration. */
function run(index: number, p99: number | undefined, state: RunResult['state'] = 'Succeeded', downtime = 2): RunResult {
  const broken = p99 !== undefined && p99 > 1;
  return {
    index,
    state,
    migrations: [{ index: 1, offset: '5m', state: 'Succeeded', durationSeconds: 40 + index, downtimeSeconds: downtime }],
    actions: [
      {
        action: 'HomePage',
        count: 100,
        errors: index,
        thresholdSeconds: 1,
        percentiles: [{ percentile: 99, ...(p99 === undefined ? {} : { maxSeconds: p99 }), violations: broken ? 3 : 0, verdict: broken ? 'Fail' : 'Pass' }],
        verdict: broken ? 'Fail' : 'Pass',
      },
    ],
    verdict: broken ? 'Fail' : 'Pass',
  };
}

describe('Given three finished runs of an experiment and one still running', () => {
  const summary = summarizeRuns([run(1, 0.8), run(2, 1.2), run(3, 0.7, 'Succeeded', 4), run(4, 5, 'Running')]);
  const p99 = summary.actions?.[0]?.percentiles[0];

  it('then only the finished runs count: their operations, errors, migrations and downtimes', () => {
    expect(summary.runs).toBe(3);
    expect(summary.actions?.[0]).toMatchObject({ count: 300, errors: 6 });
    expect(summary).toMatchObject({ migrations: 3, meanMigrationSeconds: 42, maxMigrationSeconds: 43, maxDowntimeSeconds: 4 });
    expect(summary.meanDowntimeSeconds).toBeCloseTo(8 / 3, 12);
  });

  it('then the p99 figures are the worst run (Table 2), the mean, the sample sd and the t-based 95 % interval', () => {
    // 0.8, 1.2, 0.7: mean 0.9, s = sqrt(0.07) = 0.26458, t(0.975, 2) = 4.3027.
    expect(p99).toMatchObject({ worstMaxSeconds: 1.2, runsMeasured: 3, violations: 3, verdict: 'Fail' });
    expect(p99?.meanMaxSeconds).toBeCloseTo(0.9, 12);
    expect(p99?.stdDevMaxSeconds).toBeCloseTo(0.264575, 6);
    expect(p99?.ci95MaxSeconds?.high).toBeCloseTo(0.9 + 4.302653 * (0.264575 / Math.sqrt(3)), 5);
    expect(p99?.ci95MaxSeconds?.low).toBeCloseTo(Math.max(0, 0.9 - 4.302653 * (0.264575 / Math.sqrt(3))), 5);
  });

  it('then the verdicts fail where any run broke the SLA, and the printer column names the worst p99', () => {
    expect(summary.verdicts).toEqual([{ percentile: 99, verdict: 'Fail' }]);
    expect(summary.verdict).toBe('Fail');
    expect(summary.worstP99VsSla).toBe('HomePage 1.2s/1s');
  });
});

describe('Given runs that give no windowed value', () => {
  it('when one run has none, then the spread is over the runs that have one', () => {
    const p99 = summarizeRuns([run(1, 0.5), run(2, undefined)]).actions?.[0]?.percentiles[0];
    expect(p99).toMatchObject({ worstMaxSeconds: 0.5, meanMaxSeconds: 0.5, runsMeasured: 1 });
    expect(p99).not.toHaveProperty('ci95MaxSeconds');
  });

  it('when a run failed, then the summary fails even though every window held', () => {
    expect(summarizeRuns([run(1, 0.5), run(2, 0.6, 'Failed')]).verdict).toBe('Fail');
  });
});
