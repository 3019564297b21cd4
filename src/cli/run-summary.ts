// The tables `migrascope run` prints at the end: per action the Table-2 figures and verdicts, the
// migrations (where, how long, the downtime users saw), Redis outages and load gaps, and the
// overall verdict; for campaigns the levels x actions table and the recommendation.
import {
  levelSettings,
  SWEEP_FIELDS,
  sweptFields,
  type MigrationCampaign,
  type MigrationCampaignStatus,
  type MigrationExperiment,
  type MigrationExperimentStatus,
  type MigrationRecovery,
  type PercentileSummary,
  type RunResult,
} from '../api/v1alpha1/index.ts';
import type { RunOutcome } from '../engine/run-monitor.ts';
import type { RunPlan } from '../engine/plan.ts';
import { campaignGrid, type GridCell } from '../report/campaign-grid.ts';
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
        { header: 'vm', value: (m) => m.vm ?? '?' },
        { header: 'source -> destination', value: (m) => `${m.source ?? '?'} -> ${m.destination ?? '?'}` },
        { header: 'at', value: (m) => m.offset, align: 'right' },
        { header: 'duration', value: (m) => seconds(m.durationSeconds, 2), align: 'right' },
        { header: 'downtime (clients)', value: (m) => seconds(m.downtimeSeconds), align: 'right' },
        { header: 'downtime (model)', value: (m) => seconds(m.modelDowntimeSeconds), align: 'right' },
        { header: 'recovery p90', value: (m) => recoveryText(m.recovery, m.recovery?.seconds), align: 'right' },
        { header: 'recovery SLA', value: (m) => recoveryText(m.recovery, m.recovery?.slaSeconds), align: 'right' },
      ]),
    );
    const judged = new Set((status.summary?.actions ?? []).filter((a) => a.thresholdSeconds > 0).map((a) => a.action));
    lines.push(...recoveryPerAction(migrations, judged));
    for (const failed of migrations.filter((m) => m.message)) lines.push(`  migration ${failed.run}.${failed.index}: ${failed.message}`);
  }
  // What a run went without: the results hold no seconds for a load gap, and say so here.
  for (const run of status.runs ?? []) {
    for (const outage of run.redisOutages ?? []) lines.push(`  run ${run.index}: Redis did not answer for ${outage.seconds}s from ${outage.startTime} (the load went on; its seconds arrived after)`);
    for (const gap of run.loadGaps ?? []) lines.push(`  run ${run.index}: load shard ${gap.shard} went unmeasured for ${gap.seconds}s from ${gap.startTime} (its worker died before another took it over)`);
  }
  const summary = status.summary;
  if (summary?.meanRecoverySeconds !== undefined || summary?.meanSlaRecoverySeconds !== undefined) {
    const both = (mean: number | undefined, max: number | undefined) => (mean === undefined ? '-' : `mean ${seconds(mean, 1)}, max ${seconds(max, 1)}`);
    lines.push(`recovery over ${summary.runs} run(s): p90 back ${both(summary.meanRecoverySeconds, summary.maxRecoverySeconds)}; SLA windows back ${both(summary.meanSlaRecoverySeconds, summary.maxSlaRecoverySeconds)}`);
  }
  const verdicts = (status.summary?.verdicts ?? []).map((v) => `p${v.percentile} ${v.verdict === 'Pass' ? 'met' : 'BROKEN'}`);
  lines.push('', `verdict: ${verdicts.length ? verdicts.join(', ') : 'no SLA window was judged'}${status.summary?.worstP99VsSla ? ` (worst p99 vs SLA: ${status.summary.worstP99VsSla})` : ''}`);
  return lines.join('\n');
}

/** A recovery in seconds; ">Ns" when not back within the N seconds it was watched; "-" when not measured. */
function recoveryText(recovery: MigrationRecovery | undefined, value: number | undefined): string {
  if (recovery === undefined) return '-';
  return value === undefined ? `>${recovery.observedSeconds.toFixed(1)}s` : seconds(value, 1);
}

/** Per migration and action: "p90 / SLA" recovery seconds. */
function recoveryPerAction(migrations: readonly { run: number; index: number; recovery?: MigrationRecovery | undefined }[], judged: ReadonlySet<string>): string[] {
  const recovered = migrations.filter((m) => m.recovery !== undefined);
  const actions = [...new Set(recovered.flatMap((m) => m.recovery!.perAction.map((a) => a.action)))];
  if (actions.length === 0) return [];
  return [
    '',
    renderTable(recovered, [
      { header: 'recovery (p90 / SLA)', value: (m) => `run ${m.run} #${m.index}` },
      ...actions.map((action) => ({
        header: action,
        value: (m: (typeof recovered)[number]) => {
          const found = m.recovery!.perAction.find((a) => a.action === action);
          if (!found) return '-';
          const p90 = found.baselineSeconds === undefined ? '?' : found.unseen ? 'unseen' : recoveryText(m.recovery, found.seconds);
          return `${p90} / ${judged.has(action) ? recoveryText(m.recovery, found.slaSeconds) : '-'}`;
        },
        align: 'right' as const,
      })),
    ]),
    '  (seconds from the end of stop-and-copy; >N: not back within the N s watched; ?: no level before the migration; unseen: no completion after it; -: no threshold)',
  ];
}

/** The levels table (a column per swept field), a grid of verdicts for two fields, and the recommendation. */
export function describeCampaign(campaign: MigrationCampaign, status: MigrationCampaignStatus): string {
  const levels = status.levels ?? [];
  const judged = campaign.spec.judgePercentile;
  const fields = sweptFields(campaign.spec.sweep);
  const actions = [...new Set(levels.flatMap((level) => (level.actions ?? []).map((a) => a.action)))];
  const lines = [`\n${campaign.metadata.name}: campaign ${status.phase ?? 'Pending'}, ${levels.length} level(s), sweeping ${fields.join(' x ')}`];
  if (levels.length > 0) {
    lines.push(
      '',
      renderTable(levels, [
        ...fields.map((field) => ({ header: SWEEP_FIELDS[field].label, value: (l: (typeof levels)[number]) => String(levelSettings(l)[field] ?? '-'), align: 'right' as const })),
        ...actions.map((action) => ({
          header: `${action} p${judged}`,
          value: (l: (typeof levels)[number]) => {
            const found = l.actions?.find((a) => a.action === action);
            const p = found?.percentiles.find((x) => x.percentile === judged);
            return p?.worstMaxSeconds === undefined ? '-' : `${p.worstMaxSeconds.toFixed(2)}${p.verdict === 'Fail' ? '!' : ''}`;
          },
          align: 'right' as const,
        })),
        { header: 'verdict', value: (l) => l.verdict ?? l.phase ?? '-' },
      ]),
      '  (seconds; ! = over the threshold in at least one window)',
    );
  }
  const recommended = [status.recommendation?.level, ...(status.recommendation?.rows ?? []).map((r) => r.level)].filter((p) => p !== undefined);
  const grid = campaignGrid(campaign.spec.sweep, levels.map((l) => ({ settings: levelSettings(l), verdict: l.verdict, phase: l.phase, actions: l.actions })), judged, recommended);
  if (grid) {
    lines.push(
      '',
      `${SWEEP_FIELDS[grid.row].label} (rows) x ${SWEEP_FIELDS[grid.column].label} (columns): verdict and the worst action's p${judged} as a share of its threshold`,
      renderTable(grid.rows.map((value, r) => ({ value, cells: grid.cells[r] ?? [] })), [
        { header: SWEEP_FIELDS[grid.row].label, value: (row) => String(row.value), align: 'right' },
        ...grid.columns.map((column, c) => ({
          header: String(column),
          value: (row: { cells: GridCell[] }) => gridCellText(row.cells[c]),
          align: 'right' as const,
        })),
      ]),
      '  (* = recommended in its row)',
    );
  }
  if (status.recommendation) lines.push('', `recommendation: ${status.recommendation.message}`);
  return lines.join('\n');
}

function gridCellText(cell: GridCell | undefined): string {
  const level = cell?.level;
  if (!level) return '-';
  const verdict = level.verdict ?? level.phase ?? '?';
  const share = cell.worstShare === undefined ? '' : ` ${Math.round(cell.worstShare * 100)}%`;
  return `${cell.recommended ? '*' : ''}${verdict}${share}`;
}
