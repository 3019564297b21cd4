// The tables of an experiment report: per action the study's Table 2 figures (count, errors,
// highest windowed percentiles, threshold, violating windows, verdict), the migrations (route,
// start, duration, downtime seen by the clients and by the model), and over several runs the
// mean and worst of those maxima. Figures come from the status, as the engine judged them.
import { durationMs, type ActionResult, type ActionSummary, type MigrationRecovery, type MigrationResult, type PercentileSummary, type RunSummary, type Verdict } from '../api/v1alpha1/index.ts';
import { formatCount, formatOffset, formatSeconds, percentileName } from './format.ts';
import { html, type Markup } from './html.ts';
import type { MigrationInstants, RunTimetable } from './input.ts';

export function verdictBadge(verdict: Verdict | undefined, size: 'small' | 'large' = 'small'): Markup {
  if (verdict === undefined) return html`<span class="verdict none ${size}">–</span>`;
  const text = verdict === 'Pass' ? '✓ Pass' : verdict === 'NoData' ? '✗ No data' : '✗ Fail';
  if (verdict === 'NoData') return html`<span class="verdict fail ${size}" title="never succeeded in steady state: nothing to judge, not met">${text}</span>`;
  return html`<span class="verdict ${verdict === 'Pass' ? 'pass' : 'fail'} ${size}">${text}</span>`;
}

/** A windowed maximum, red when its percentile broke the SLA. */
function maxCell(seconds: number | undefined, verdict: Verdict | undefined, thresholdSeconds: number): Markup {
  const over = verdict === 'Fail';
  const ratio = seconds !== undefined && thresholdSeconds > 0 ? seconds / thresholdSeconds : undefined;
  const title = ratio === undefined ? '' : `${Math.round(ratio * 100)} % of the threshold`;
  return html`<td class="num ${over ? 'over' : seconds !== undefined ? 'under' : ''}" title="${title}">${formatSeconds(seconds)}</td>`;
}

export function actionTable(actions: readonly ActionResult[], percentiles: readonly number[]): Markup {
  if (actions.length === 0) return html`<p class="empty">No action completed in steady state.</p>`;
  return html`<table class="actions">
<thead><tr><th>Action</th><th class="num">Count</th><th class="num">Errors</th>${percentiles.map(
    (p) => html`<th class="num">Max ${percentileName(p)}</th>`,
  )}<th class="num">Threshold</th>${percentiles.map((p) => html`<th class="num">Violations ${percentileName(p)}</th>`)}<th>Verdict</th></tr></thead>
<tbody>${actions.map((action) => {
    const of = (p: number) => action.percentiles.find((result) => result.percentile === p);
    return html`<tr data-action="${action.action}"><th scope="row">${action.action}</th><td class="num">${formatCount(action.count)}</td><td class="num ${action.errors > 0 ? 'over' : ''}">${formatCount(action.errors)}</td>${percentiles.map(
      (p) => maxCell(of(p)?.maxSeconds, of(p)?.verdict, action.thresholdSeconds),
    )}<td class="num">${thresholdText(action.thresholdSeconds)}</td>${percentiles.map(
      (p) => html`<td class="num">${of(p) === undefined ? '–' : formatCount(of(p)!.violations)}</td>`,
    )}<td>${verdictBadge(action.verdict)}</td></tr>`;
  })}</tbody>
</table>`;
}

export function summaryTable(summary: RunSummary, percentiles: readonly number[]): Markup {
  const actions: readonly ActionSummary[] = summary.actions ?? [];
  if (actions.length === 0) return html`<p class="empty">No action completed in steady state in any run.</p>`;
  return html`<table class="actions summary">
<thead><tr><th rowspan="2">Action</th><th rowspan="2" class="num">Count</th><th rowspan="2" class="num">Errors</th>${percentiles.map(
    (p) => html`<th colspan="2" class="group">Max ${percentileName(p)} over runs</th>`,
  )}<th rowspan="2" class="num">Threshold</th>${percentiles.map((p) => html`<th rowspan="2" class="num">Violations ${percentileName(p)}</th>`)}<th rowspan="2">Verdict</th></tr>
<tr>${percentiles.map(() => html`<th class="num">worst run</th><th class="num">mean ± 95 % CI</th>`)}</tr></thead>
<tbody>${actions.map((action) => {
    const of = (p: number) => action.percentiles.find((result) => result.percentile === p);
    return html`<tr data-action="${action.action}"><th scope="row">${action.action}</th><td class="num">${formatCount(action.count)}</td><td class="num ${action.errors > 0 ? 'over' : ''}">${formatCount(action.errors)}</td>${percentiles.map(
      (p) => html`${maxCell(of(p)?.worstMaxSeconds, of(p)?.verdict, action.thresholdSeconds)}${meanCell(of(p), action.thresholdSeconds)}`,
    )}<td class="num">${thresholdText(action.thresholdSeconds)}</td>${percentiles.map(
      (p) => html`<td class="num">${of(p) === undefined ? '–' : formatCount(of(p)!.violations)}</td>`,
    )}<td>${verdictBadge(action.verdict)}</td></tr>`;
  })}</tbody>
</table>`;
}

/** The mean over runs with the half-width of its 95 % interval ("0.95 s ± 0.12 s"), red when the mean is over the threshold. */
function meanCell(p: PercentileSummary | undefined, thresholdSeconds: number): Markup {
  const mean = p?.meanMaxSeconds;
  const verdict = overThreshold(mean, thresholdSeconds);
  const ci = p?.ci95MaxSeconds;
  const title = ci === undefined ? '' : `95 % CI ${formatSeconds(ci.low)} – ${formatSeconds(ci.high)}, sd ${formatSeconds(p?.stdDevMaxSeconds)}, ${p?.runsMeasured ?? '?'} runs`;
  const spread = ci === undefined ? '' : ` ± ${formatSeconds((ci.high - ci.low) / 2)}`;
  return html`<td class="num ${verdict === 'Fail' ? 'over' : mean !== undefined ? 'under' : ''}" title="${title}">${formatSeconds(mean)}${spread}</td>`;
}

/** A mean over runs can sit over the threshold while no single run's verdict did, or the reverse. */
function overThreshold(seconds: number | undefined, thresholdSeconds: number): Verdict | undefined {
  if (seconds === undefined || thresholdSeconds <= 0) return undefined;
  return seconds > thresholdSeconds ? 'Fail' : 'Pass';
}

export interface MigrationRow {
  index: number;
  state: string;
  route: string;
  /** The VM migrated (the results name it; older results may not). */
  vm: string | undefined;
  /** Seconds into steady state (the schedule's offset), as it happened or as planned. */
  offsetSeconds: number | undefined;
  /** Seconds from the run's start, the charts' time axis. */
  atSeconds: number | undefined;
  durationSeconds: number | undefined;
  downtimeSeconds: number | undefined;
  modelDowntimeSeconds: number | undefined;
  /** How long users felt it after its stop-and-copy (status). */
  recovery: MigrationRecovery | undefined;
  message: string | undefined;
}

export function migrationRows(plan: RunTimetable, instants: readonly MigrationInstants[], results: readonly MigrationResult[]): MigrationRow[] {
  const indexes = [...new Set([...instants.map((m) => m.index), ...results.map((m) => m.index)])].sort((a, b) => a - b);
  return indexes.map((index) => {
    const seen = instants.find((m) => m.index === index);
    const result = results.find((m) => m.index === index);
    const startMs = seen?.startMs ?? (result?.startTime ? Date.parse(result.startTime) : undefined);
    const source = seen?.source ?? result?.source;
    const destination = seen?.destination ?? result?.destination;
    return {
      index,
      state: seen?.state ?? result?.state ?? 'Pending',
      route: `${source ?? '?'} → ${destination ?? '?'}`,
      vm: result?.vm,
      offsetSeconds: startMs !== undefined ? (startMs - plan.steadyStartMs) / 1000 : result ? plannedOffset(result.offset) : undefined,
      atSeconds: startMs !== undefined ? (startMs - plan.startAtMs) / 1000 : undefined,
      durationSeconds: seen?.durationSeconds ?? result?.durationSeconds,
      downtimeSeconds: seen?.downtimeSeconds ?? result?.downtimeSeconds,
      modelDowntimeSeconds: seen?.modelDowntimeSeconds ?? result?.modelDowntimeSeconds,
      recovery: result?.recovery,
      message: result?.message,
    };
  });
}

export function migrationTable(rows: readonly MigrationRow[]): Markup {
  if (rows.length === 0) return html`<p class="empty">No migration in this run: the load alone.</p>`;
  const modelled = rows.some((row) => row.modelDowntimeSeconds !== undefined);
  const recovered = rows.some((row) => row.recovery !== undefined);
  // A VM column only when the run moved more than one VM.
  const vms = new Set(rows.map((row) => row.vm)).size > 1;
  return html`<table class="migrations">
<thead><tr><th>#</th>${vms ? html`<th>VM</th>` : ''}<th>Source → destination</th><th>State</th><th class="num">Start (into steady state)</th><th class="num">At (run time)</th><th class="num">Duration</th><th class="num">Downtime seen by clients</th>${modelled ? html`<th class="num">Downtime by model</th>` : ''}${
    recovered ? html`<th class="num" title="${RECOVERY_P90}">Recovery (p90)</th><th class="num" title="${RECOVERY_SLA}">Recovery (SLA windows)</th>` : ''
  }</tr></thead>
<tbody>${rows.map(
    (row) => html`<tr data-migration="${row.index}"><th scope="row">M${row.index}</th>${vms ? html`<td>${row.vm ?? '?'}</td>` : ''}<td>${row.route}</td><td class="state ${row.state.toLowerCase()}" title="${row.message ?? ''}">${row.state}</td><td class="num">${row.offsetSeconds === undefined ? '–' : formatOffset(row.offsetSeconds)}</td><td class="num">${row.atSeconds === undefined ? '–' : formatOffset(row.atSeconds)}</td><td class="num">${formatSeconds(row.durationSeconds)}</td><td class="num">${formatSeconds(row.downtimeSeconds)}</td>${modelled ? html`<td class="num">${formatSeconds(row.modelDowntimeSeconds)}</td>` : ''}${
      recovered ? html`${recoveryCell(row.recovery, row.recovery?.seconds)}${recoveryCell(row.recovery, row.recovery?.slaSeconds)}` : ''
    }</tr>`,
  )}</tbody>
</table>`;
}

const RECOVERY_P90 = 'From the end of stop-and-copy until every action\'s per-second p90 was back within 10 % of its level before the migration';
const RECOVERY_SLA = 'From the end of stop-and-copy until every action\'s sliding SLA windows were back under their threshold';

/** A recovery in seconds; "> N s" (red) when not back within the N seconds it was watched; "–" when not measured. */
function recoveryCell(recovery: MigrationRecovery | undefined, seconds: number | undefined, judged = true): Markup {
  if (recovery === undefined || !judged) return html`<td class="num">–</td>`;
  if (seconds === undefined) return html`<td class="num over" title="not back before the next migration or the end of steady state">&gt; ${formatSeconds(recovery.observedSeconds)}</td>`;
  return html`<td class="num">${formatSeconds(seconds)}</td>`;
}

/** Per migration and action: the level before it, and how long until the action was back (p90, SLA windows). */
export function recoveryTable(rows: readonly MigrationRow[], thresholds: ReadonlyMap<string, number>): Markup {
  const recovered = rows.filter((row) => row.recovery !== undefined);
  if (recovered.length === 0) return html``;
  return html`<table class="recovery">
<thead><tr><th>#</th><th>Action</th><th class="num">p90 before</th><th class="num" title="${RECOVERY_P90}">Back (p90)</th><th class="num" title="${RECOVERY_SLA}">Back under SLA</th></tr></thead>
<tbody>${recovered.flatMap((row) =>
    row.recovery!.perAction.map(
      (action) => html`<tr data-migration="${row.index}" data-action="${action.action}"><th scope="row">M${row.index}</th><td>${action.action}</td><td class="num">${formatSeconds(action.baselineSeconds)}</td>${
        action.baselineSeconds === undefined
          ? html`<td class="num" title="no completion before the migration">–</td>`
          : action.unseen
            ? html`<td class="num" title="no completion from the end of stop-and-copy to the next migration or the end of steady state">not seen</td>`
            : recoveryCell(row.recovery, action.seconds)
      }${recoveryCell(row.recovery, action.slaSeconds, (thresholds.get(action.action) ?? 0) > 0)}</tr>`,
    ),
  )}</tbody>
</table>`;
}

function thresholdText(seconds: number): string {
  return seconds > 0 ? formatSeconds(seconds) : 'none';
}

/** The schedule's offset: the schema accepted it, so it parses. */
function plannedOffset(offset: string): number {
  return durationMs(offset) / 1000;
}
