import { describe, expect, it } from 'vitest';
import type { ActionResult, RunResult } from '../api/v1alpha1/index.ts';
import { baselineStatus, compareWithBaseline } from './baseline-comparison.ts';
import { summarizeRuns } from './run-analysis.ts';

/** An action's results in one run: p90 and p99 windowed maxima (s) and their violating windows. */
function action(name: string, p90: number | undefined, p99: number | undefined, violations: [number, number] = [0, 0]): ActionResult {
  const percentile = (p: number, max: number | undefined, v: number) => ({
    percentile: p,
    ...(max === undefined ? {} : { maxSeconds: max }),
    violations: v,
    verdict: max === undefined ? ('NoData' as const) : v > 0 ? ('Fail' as const) : ('Pass' as const),
  });
  return { action: name, count: 100, errors: 0, thresholdSeconds: 1, percentiles: [percentile(90, p90, violations[0]), percentile(99, p99, violations[1])], verdict: 'Pass' };
}

function run(index: number, actions: ActionResult[], state: RunResult['state'] = 'Succeeded'): RunResult {
  return { index, state, actions };
}

describe('Given a baseline run and three measured runs with migration', () => {
  const baseline = run(0, [action('HomePage', 0.2, 0.5, [0, 0]), action('Login', 0.4, 0.8, [0, 1])]);
  const measured = [
    run(1, [action('HomePage', 0.3, 1.5, [0, 2]), action('Login', 0.5, 1.2, [0, 3])]),
    run(2, [action('HomePage', 0.4, 2.5, [0, 4]), action('Login', 0.6, 1.0, [0, 0])]),
    run(3, [action('HomePage', 0.5, 2.0, [0, 3]), action('Login', 0.7, 0.8, [0, 0])]),
  ];
  const summary = summarizeRuns(measured);
  const compared = compareWithBaseline(baseline, summary);
  const of = (name: string, p: number) => compared.find((a) => a.action === name)?.percentiles.find((x) => x.percentile === p);

  it("When compared, Then the slowdown is the runs' mean windowed maximum over the baseline's, as a ratio and a difference", () => {
    expect(of('HomePage', 99)?.baselineMaxSeconds).toBe(0.5);
    expect(of('HomePage', 99)?.meanMaxSeconds).toBeCloseTo(2.0, 12);
    expect(of('HomePage', 99)?.slowdown).toBeCloseTo(4, 12);
    expect(of('HomePage', 99)?.slowdownSeconds).toBeCloseTo(1.5, 12);
    expect(of('HomePage', 90)?.slowdown).toBeCloseTo(0.4 / 0.2, 12);
    expect(of('Login', 90)?.slowdownSeconds).toBeCloseTo(0.6 - 0.4, 12);
  });

  it('Then the extra violating windows are the mean per measured run minus the baseline run’s', () => {
    expect(of('HomePage', 99)).toMatchObject({ baselineViolations: 0, meanViolations: 3, extraViolations: 3 });
    // Login broke p99 once without migration, once per run on average with: the migrations added none.
    expect(of('Login', 99)).toMatchObject({ baselineViolations: 1, meanViolations: 1, extraViolations: 0 });
    expect(of('HomePage', 90)).toMatchObject({ baselineViolations: 0, meanViolations: 0, extraViolations: 0 });
  });

  it('Then each action and percentile the baseline judged is compared, in its order', () => {
    expect(compared.map((a) => a.action)).toEqual(['HomePage', 'Login']);
    expect(compared[0]?.percentiles.map((p) => p.percentile)).toEqual([90, 99]);
  });
});

describe('Given figures that cannot be compared', () => {
  it('When no measured run has finished, Then there is no comparison yet', () => {
    expect(compareWithBaseline(run(0, [action('HomePage', 0.2, 0.5)]), summarizeRuns([]))).toEqual([]);
  });

  it('When the baseline had no window for an action, Then no slowdown is given, only the violating windows', () => {
    const compared = compareWithBaseline(run(0, [action('HomePage', undefined, undefined)]), summarizeRuns([run(1, [action('HomePage', 0.3, 1.5, [1, 2])])]));
    const p99 = compared[0]?.percentiles.find((p) => p.percentile === 99);
    expect(p99).toEqual({ percentile: 99, meanMaxSeconds: 1.5, baselineViolations: 0, meanViolations: 2, extraViolations: 2 });
  });

  it('When the baseline maximum is 0 s, Then the difference is given and the ratio is not (it has no finite value)', () => {
    const compared = compareWithBaseline(run(0, [action('HomePage', 0, 0)]), summarizeRuns([run(1, [action('HomePage', 0.3, 1.5)])]));
    const p99 = compared[0]?.percentiles.find((p) => p.percentile === 99);
    expect(p99?.slowdown).toBeUndefined();
    expect(p99?.slowdownSeconds).toBe(1.5);
  });

  it('When the measured runs never completed an action the baseline did, Then its slowdown is absent and the migrations removed its violations', () => {
    const compared = compareWithBaseline(run(0, [action('Login', 0.4, 1.8, [0, 2])]), summarizeRuns([run(1, [action('HomePage', 0.3, 1.5)])]));
    expect(compared[0]?.percentiles.find((p) => p.percentile === 99)).toEqual({ percentile: 99, baselineMaxSeconds: 1.8, baselineViolations: 2, meanViolations: 0, extraViolations: -2 });
  });

  it('When the runs with migration did better than the baseline, Then the slowdown is below 1 and the difference negative', () => {
    const compared = compareWithBaseline(run(0, [action('HomePage', 0.4, 1.0)]), summarizeRuns([run(1, [action('HomePage', 0.2, 0.5)])]));
    const p99 = compared[0]?.percentiles.find((p) => p.percentile === 99);
    expect(p99?.slowdown).toBeCloseTo(0.5, 12);
    expect(p99?.slowdownSeconds).toBeCloseTo(-0.5, 12);
  });
});

describe('Given the status an experiment with a baseline writes', () => {
  const baseline = run(0, [action('HomePage', 0.2, 0.5)]);

  it('When the baseline run has not finished, Then status has no baseline from it', () => {
    expect(baselineStatus(undefined, [run(1, [action('HomePage', 0.3, 1.5)])])).toEqual({});
  });

  it('When only the baseline has finished, Then status holds the run without a comparison; after a run, with one', () => {
    expect(baselineStatus(baseline, [])).toEqual({ baseline: { run: baseline } });
    expect(baselineStatus(baseline, [run(1, [action('HomePage', 0.3, 1.5)])]).baseline?.actions?.[0]?.percentiles[1]?.slowdown).toBeCloseTo(3, 12);
  });
});
