import { describe, expect, it } from 'vitest';
import { Sla } from '../api/v1alpha1/index.ts';
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
