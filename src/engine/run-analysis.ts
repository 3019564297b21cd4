// From a run's merged seconds to what status and the report say about it: per action the count,
// the errors and, per percentile, the highest windowed value (the study's Table 2) and the
// violating windows; then, over runs, means and worst values as the study averaged its 5 runs.
import { durationMs, worstP99VsSla, worstVerdict, type ActionResult, type ActionSummary, type MigrationResult, type RunResult, type RunSummary, type Sla } from '../api/v1alpha1/index.ts';
import { summarize, userKeyed, type SecondSnapshot } from '../recording/index.ts';
import { runSpread, SlidingWindowSla, type RunSpread, type SlaResult, type WindowEvaluation } from '../sla/index.ts';
import type { RunPlan } from './plan.ts';

/** The SLA engine's options for a run's steady state (the live view, the analysis and the report share them). */
export function slaOptions(sla: Sla, plan: Pick<RunPlan, 'steadyStartMs' | 'steadyEndMs'>) {
  // Keyed by the profile's action names: "toString" must not find Object.prototype's.
  const thresholds = userKeyed<number>();
  for (const [action, threshold] of Object.entries(sla.thresholds)) if (threshold !== undefined) thresholds[action] = durationMs(threshold);
  return {
    window: durationMs(sla.window),
    step: durationMs(sla.step),
    percentiles: [...sla.percentiles].sort((a, b) => a - b),
    thresholds,
    // The SLA engine works on whole seconds: steady state is the seconds it fully covers.
    start: Math.ceil(plan.steadyStartMs / 1000) * 1000,
    end: Math.floor(plan.steadyEndMs / 1000) * 1000,
  };
}

export interface RunAnalysis {
  sla: SlaResult;
  /** Every window judged, ascending (what recovery reads). */
  windows: WindowEvaluation[];
  actions: ActionResult[];
  verdicts: NonNullable<RunResult['verdicts']>;
  verdict: 'Pass' | 'Fail';
}

/** Judges the steady-state seconds of a run from scratch (the live view may have missed late parts). */
export function analyzeRun(seconds: readonly SecondSnapshot[], sla: Sla, plan: Pick<RunPlan, 'steadyStartMs' | 'steadyEndMs'>): RunAnalysis {
  const options = slaOptions(sla, plan);
  const engine = new SlidingWindowSla(options);
  const steady = { fromSecond: options.start / 1000, toSecond: options.end / 1000 };
  const windows: WindowEvaluation[] = [];
  for (const snapshot of seconds) if (snapshot.second >= steady.fromSecond && snapshot.second < steady.toSecond) windows.push(...engine.add(snapshot));
  windows.push(...engine.finish());
  const result = engine.result();
  const totals = summarize(seconds, steady);
  const names = [...new Set([...Object.keys(options.thresholds), ...Object.keys(totals), ...Object.keys(result.actions)])];
  const actions: ActionResult[] = names
    .filter((name) => totals[name] !== undefined || result.actions[name] !== undefined)
    .map((name) => {
      const verdict = result.actions[name];
      const percentiles = options.percentiles.map((percentile) => {
        const judged = verdict?.percentiles[String(percentile)];
        return {
          percentile,
          ...(judged?.maxMs == null ? {} : { maxSeconds: judged.maxMs / 1000 }),
          violations: judged?.violations ?? 0,
          verdict: verdict?.noData ? ('NoData' as const) : judged?.met === false ? ('Fail' as const) : ('Pass' as const),
        };
      });
      return {
        action: name,
        count: totals[name]?.count ?? 0,
        errors: totals[name]?.errors ?? 0,
        thresholdSeconds: (options.thresholds[name] ?? 0) / 1000,
        percentiles,
        verdict: worstVerdict(percentiles.map((p) => p.verdict)),
      };
    });
  const verdicts = options.percentiles.map((percentile) => ({
    percentile,
    verdict: result.met[String(percentile)] === false ? ('Fail' as const) : ('Pass' as const),
  }));
  return { sla: result, windows, actions, verdicts, verdict: verdicts.some((v) => v.verdict === 'Fail') ? 'Fail' : 'Pass' };
}

/** A percentile's windowed maxima over runs, as status carries them: the worst, the mean and its spread. */
export function maximaOverRuns(spread: RunSpread | undefined) {
  if (!spread) return {};
  return {
    worstMaxSeconds: spread.worst,
    meanMaxSeconds: spread.mean,
    ...(spread.stdDev === undefined ? {} : { stdDevMaxSeconds: spread.stdDev }),
    ...(spread.ci95 === undefined ? {} : { ci95MaxSeconds: spread.ci95 }),
    runsMeasured: spread.runs,
  };
}

/** Means, spreads and worst values over the finished runs. */
export function summarizeRuns(runs: readonly RunResult[]): RunSummary {
  const finished = runs.filter((run) => run.state !== 'Running');
  const migrations = finished.flatMap((run) => run.migrations ?? []).filter((m): m is MigrationResult => m.state === 'Succeeded');
  const durations = migrations.map((m) => m.durationSeconds).filter((s): s is number => s !== undefined);
  const downtimes = migrations.map((m) => m.downtimeSeconds).filter((s): s is number => s !== undefined);
  const recoveries = migrations.map((m) => m.recovery?.seconds).filter((s): s is number => s !== undefined);
  const slaRecoveries = migrations.map((m) => m.recovery?.slaSeconds).filter((s): s is number => s !== undefined);
  const byAction = new Map<string, ActionResult[]>();
  for (const run of finished) for (const action of run.actions ?? []) byAction.set(action.action, [...(byAction.get(action.action) ?? []), action]);
  const actions: ActionSummary[] = [...byAction.entries()].map(([name, results]) => {
    const percentiles = (results[0]?.percentiles ?? []).map(({ percentile }) => {
      const maxima = results.map((r) => r.percentiles.find((p) => p.percentile === percentile)?.maxSeconds).filter((s): s is number => s !== undefined);
      const violations = results.reduce((sum, r) => sum + (r.percentiles.find((p) => p.percentile === percentile)?.violations ?? 0), 0);
      const noData = results.some((r) => r.percentiles.find((p) => p.percentile === percentile)?.verdict === 'NoData');
      return {
        percentile,
        ...maximaOverRuns(runSpread(maxima)),
        violations,
        verdict: noData ? ('NoData' as const) : violations > 0 ? ('Fail' as const) : ('Pass' as const),
      };
    });
    return {
      action: name,
      count: results.reduce((sum, r) => sum + r.count, 0),
      errors: results.reduce((sum, r) => sum + r.errors, 0),
      thresholdSeconds: results[0]?.thresholdSeconds ?? 0,
      percentiles,
      verdict: worstVerdict(percentiles.map((p) => p.verdict)),
    };
  });
  const percentileList = actions[0]?.percentiles.map((p) => p.percentile) ?? [];
  const verdicts = percentileList.map((percentile) => ({
    percentile,
    // An action with no data breaks the percentile as a run's verdicts do (the SLA is not met).
    verdict: actions.some((a) => a.percentiles.some((p) => p.percentile === percentile && p.verdict !== 'Pass')) ? ('Fail' as const) : ('Pass' as const),
  }));
  const worst = worstP99VsSla(actions);
  return {
    runs: finished.length,
    migrations: migrations.length,
    ...(durations.length ? { meanMigrationSeconds: mean(durations), maxMigrationSeconds: Math.max(...durations) } : {}),
    ...(downtimes.length ? { meanDowntimeSeconds: mean(downtimes), maxDowntimeSeconds: Math.max(...downtimes) } : {}),
    ...(recoveries.length ? { meanRecoverySeconds: mean(recoveries), maxRecoverySeconds: Math.max(...recoveries) } : {}),
    ...(slaRecoveries.length ? { meanSlaRecoverySeconds: mean(slaRecoveries), maxSlaRecoverySeconds: Math.max(...slaRecoveries) } : {}),
    ...(actions.length ? { actions, verdicts, verdict: verdicts.some((v) => v.verdict === 'Fail') || finished.some((r) => r.state !== 'Succeeded') ? 'Fail' : 'Pass' } : {}),
    ...(worst ? { worstP99VsSla: worst } : {}),
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
