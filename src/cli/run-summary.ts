// The tables `migrascope run` prints at the end: per action the Table-2 figures and verdicts, the
// migrations (where, how long, the downtime users saw), Redis outages and load gaps, and the
// overall verdict; for campaigns the levels x actions table and the recommendation.
import type { MigrationCampaignStatus, MigrationExperiment, MigrationExperimentStatus, PercentileSummary, RunResult } from '../api/v1alpha1/index.ts';
import type { RunOutcome } from '../engine/run-monitor.ts';
import type { RunPlan } from '../engine/plan.ts';
import { renderTable } from './output.ts';

export interface RecordedRun {
  result: RunResult;
  outcome: RunOutcome;
  plan: RunPlan;
}

export interface ExperimentRecord {
  experiment: MigrationExperiment;
  runs: RecordedRun[];
  /** The baseline run (spec.baseline), once finished. */
  baseline?: RecordedRun;
  status: MigrationExperimentStatus;
}

const seconds = (value: number | undefined, digits = 3): string => (value === undefined ? '-' : `${value.toFixed(digits)}s`);

/** "1.100s ±0.196" : the mean over runs and the half-width of its 95 % interval (two runs or more). */
function meanAndInterval(p: PercentileSummary | undefined): string {
  if (p?.meanMaxSeconds === undefined) return '-';
  if (p.ci95MaxSeconds === undefined) return seconds(p.meanMaxSeconds);
  return `${seconds(p.meanMaxSeconds)} ±${((p.ci95MaxSeconds.high - p.ci95MaxSeconds.low) / 2).toFixed(3)}`;
}

const signed = (value: number | undefined, digits: number, unit = ''): string => (value === undefined ? '-' : `${value >= 0 ? '+' : ''}${value.toFixed(digits)}${unit}`);

/** The baseline run's outcome and, per action and percentile, the slowdown and the extra violating windows (docs/sla.md#baseline). */
function describeBaseline(baseline: MigrationExperimentStatus['baseline']): string[] {
  if (!baseline) return [];
  const { run } = baseline;
  const lines = ['', `baseline run (no migration): ${run.state}${run.message ? ` (${run.message})` : ''}`];
  const rows = (baseline.actions ?? []).flatMap((action) => action.percentiles.map((p) => ({ action: action.action, ...p })));
  if (rows.length === 0) return lines;
  lines.push(
    renderTable(rows, [
      { header: 'action', value: (r) => r.action },
      { header: 'pct', value: (r) => `p${r.percentile}`, align: 'right' },
      { header: 'baseline max', value: (r) => seconds(r.baselineMaxSeconds), align: 'right' },
      { header: 'mean max', value: (r) => seconds(r.meanMaxSeconds), align: 'right' },
      { header: 'slowdown', value: (r) => (r.slowdown === undefined ? '-' : `${r.slowdown.toFixed(2)}x`), align: 'right' },
      { header: '+seconds', value: (r) => signed(r.slowdownSeconds, 3, 's'), align: 'right' },
      { header: 'violating windows', value: (r) => `${r.baselineViolations} -> ${Number(r.meanViolations.toFixed(2))}/run`, align: 'right' },
      { header: 'extra', value: (r) => signed(r.extraViolations, 2), align: 'right' },
    ]),
    '  (mean max: mean over the runs with migration of each run\'s highest windowed value; slowdown = mean max / baseline max; extra = violating windows per run - the baseline\'s)',
  );
  return lines;
}

export function describeExperiment(record: ExperimentRecord): string {
  const { status } = record;
  const lines = [`\n${record.experiment.metadata.name}: ${status.phase ?? 'Pending'} (${status.completedRuns ?? 0} run(s))`];
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  if (ready) lines.push(`  ${ready.reason}: ${ready.message}`);
  const actions = status.summary?.actions ?? [];
  if (actions.length > 0) {
    const percentile = (action: (typeof actions)[number], p: number) => action.percentiles.find((x) => x.percentile === p);
    const repeated = (status.summary?.runs ?? 0) > 1;
    lines.push(
      '',
      renderTable(actions, [
        { header: 'action', value: (a) => a.action },
        { header: 'count', value: (a) => a.count, align: 'right' },
        { header: 'errors', value: (a) => a.errors, align: 'right' },
        { header: 'threshold', value: (a) => seconds(a.thresholdSeconds, 1), align: 'right' },
        // Table 2's value is the maximum recorded over all runs; with repetitions the mean and its 95 % interval beside it.
        { header: 'max p90', value: (a) => seconds(percentile(a, 90)?.worstMaxSeconds), align: 'right' },
        ...(repeated ? [{ header: 'mean p90 ±95%', value: (a: (typeof actions)[number]) => meanAndInterval(percentile(a, 90)), align: 'right' as const }] : []),
        { header: 'max p99', value: (a) => seconds(percentile(a, 99)?.worstMaxSeconds), align: 'right' },
        ...(repeated ? [{ header: 'mean p99 ±95%', value: (a: (typeof actions)[number]) => meanAndInterval(percentile(a, 99)), align: 'right' as const }] : []),
        { header: 'p90', value: (a) => percentile(a, 90)?.verdict ?? '-' },
        { header: 'p99', value: (a) => percentile(a, 99)?.verdict ?? '-' },
      ]),
    );
  }
  lines.push(...describeBaseline(status.baseline));
  const migrations = (status.runs ?? []).flatMap((run) => (run.migrations ?? []).map((migration) => ({ run: run.index, ...migration })));
  if (migrations.length > 0) {
    lines.push(
      '',
      renderTable(migrations, [
        { header: 'run', value: (m) => m.run, align: 'right' },
        { header: '#', value: (m) => m.index, align: 'right' },
        { header: 'state', value: (m) => m.state },
        { header: 'source -> destination', value: (m) => `${m.source ?? '?'} -> ${m.destination ?? '?'}` },
        { header: 'at', value: (m) => m.offset, align: 'right' },
        { header: 'duration', value: (m) => seconds(m.durationSeconds, 2), align: 'right' },
        { header: 'downtime (clients)', value: (m) => seconds(m.downtimeSeconds), align: 'right' },
        { header: 'downtime (model)', value: (m) => seconds(m.modelDowntimeSeconds), align: 'right' },
      ]),
    );
    for (const failed of migrations.filter((m) => m.message)) lines.push(`  migration ${failed.run}.${failed.index}: ${failed.message}`);
  }
  // What a run went without: the results hold no seconds for a load gap, and say so here.
  for (const run of status.runs ?? []) {
    for (const outage of run.redisOutages ?? []) lines.push(`  run ${run.index}: Redis did not answer for ${outage.seconds}s from ${outage.startTime} (the load went on; its seconds arrived after)`);
    for (const gap of run.loadGaps ?? []) lines.push(`  run ${run.index}: load shard ${gap.shard} went unmeasured for ${gap.seconds}s from ${gap.startTime} (its worker died before another took it over)`);
  }
  const verdicts = (status.summary?.verdicts ?? []).map((v) => `p${v.percentile} ${v.verdict === 'Pass' ? 'met' : 'BROKEN'}`);
  lines.push('', `verdict: ${verdicts.length ? verdicts.join(', ') : 'no SLA window was judged'}${status.summary?.worstP99VsSla ? ` (worst p99 vs SLA: ${status.summary.worstP99VsSla})` : ''}`);
  return lines.join('\n');
}

export function describeCampaign(name: string, status: MigrationCampaignStatus): string {
  const levels = status.levels ?? [];
  const actions = [...new Set(levels.flatMap((level) => (level.actions ?? []).map((a) => a.action)))];
  const lines = [`\n${name}: campaign ${status.phase ?? 'Pending'}, ${levels.length} level(s)`];
  if (levels.length > 0) {
    lines.push(
      '',
      renderTable(levels, [
        { header: 'users', value: (l) => l.users, align: 'right' },
        ...actions.map((action) => ({
          header: `${action} p99`,
          value: (l: (typeof levels)[number]) => {
            const found = l.actions?.find((a) => a.action === action);
            const p99 = found?.percentiles.find((p) => p.percentile === 99);
            return p99?.worstMaxSeconds === undefined ? '-' : `${p99.worstMaxSeconds.toFixed(2)}${p99.verdict === 'Fail' ? '!' : ''}`;
          },
          align: 'right' as const,
        })),
        { header: 'verdict', value: (l) => l.verdict ?? l.phase ?? '-' },
      ]),
      '  (seconds; ! = over the threshold in at least one window)',
    );
  }
  if (status.recommendation) lines.push('', `recommendation: ${status.recommendation.message}`);
  return lines.join('\n');
}
