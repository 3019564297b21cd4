// The baseline of an experiment report (spec.baseline): per action and percentile, what the
// migrations added to the same load without them (the slowdown of the highest windowed value and
// the extra violating windows, as status.baseline says; formulas in docs/sla.md#baseline), then the
// baseline run itself with its tables and charts, drawn as any run is.
import type { BaselineAction, BaselinePercentile, MigrationExperiment } from '../api/v1alpha1/index.ts';
import { formatSeconds, percentileName } from './format.ts';
import { html, type Markup } from './html.ts';
import type { RunReportInput } from './input.ts';
import { runSection } from './run-section.ts';
import { verdictBadge } from './tables.ts';

export const BASELINE_ANCHOR = 'baseline';

/** Nothing when the experiment asked for no baseline and has none. */
export function baselineSection(experiment: MigrationExperiment, run: RunReportInput | undefined, anchorPrefix: string): Markup | '' {
  const baseline = experiment.status?.baseline;
  if (!baseline && !run) return '';
  const result = baseline?.run ?? run?.result;
  const percentiles = [...experiment.spec.sla.percentiles].sort((a, b) => a - b);
  return html`<section class="card" id="${anchorPrefix}${BASELINE_ANCHOR}">
<h2>Baseline: the same load without migration</h2>
<p>One run of the same workload for the same length before the measured runs, without migrating: ${result ? html`${result.state} ${verdictBadge(result.verdict)}` : 'not run yet'}${result?.message ? html` (${result.message})` : ''}.
Slowdown: the mean over the runs with migration of each run's highest windowed value, divided by the baseline run's (and their difference); extra violating windows: the runs' violating windows per run minus the baseline run's.</p>
<div class="table-scroll">${comparisonTable(baseline?.actions ?? [], percentiles)}</div>
</section>
${run ? runSection(experiment, run, `${anchorPrefix}${BASELINE_ANCHOR}-run`) : ''}`;
}

function comparisonTable(actions: readonly BaselineAction[], percentiles: readonly number[]): Markup {
  if (actions.length === 0) return html`<p class="empty">No comparison yet: it needs the baseline run and a measured run, both with completed windows.</p>`;
  return html`<table class="actions baseline">
<thead><tr><th rowspan="2">Action</th>${percentiles.map((p) => html`<th colspan="5" class="group">${percentileName(p)}</th>`)}</tr>
<tr>${percentiles.map(() => html`<th class="num">baseline max</th><th class="num">mean max with migration</th><th class="num">slowdown</th><th class="num">violating windows</th><th class="num">extra per run</th>`)}</tr></thead>
<tbody>${actions.map((action) => {
    const of = (p: number) => action.percentiles.find((x) => x.percentile === p);
    return html`<tr data-action="${action.action}"><th scope="row">${action.action}</th>${percentiles.map((p) => comparisonCells(of(p)))}</tr>`;
  })}</tbody>
</table>`;
}

function comparisonCells(p: BaselinePercentile | undefined): Markup {
  if (!p) return html`<td class="num">–</td><td class="num">–</td><td class="num">–</td><td class="num">–</td><td class="num">–</td>`;
  const slowdown = p.slowdown === undefined ? '–' : `× ${p.slowdown.toFixed(2)}`;
  const difference = p.slowdownSeconds === undefined ? '' : ` (${p.slowdownSeconds >= 0 ? '+' : '−'}${formatSeconds(Math.abs(p.slowdownSeconds))})`;
  const extra = `${p.extraViolations > 0 ? '+' : p.extraViolations < 0 ? '−' : ''}${trimmed(Math.abs(p.extraViolations))}`;
  return html`<td class="num">${formatSeconds(p.baselineMaxSeconds)}</td><td class="num">${formatSeconds(p.meanMaxSeconds)}</td><td class="num">${slowdown}${difference}</td><td class="num" title="baseline run → mean per run with migration">${p.baselineViolations} → ${trimmed(p.meanViolations)}</td><td class="num ${p.extraViolations > 0 ? 'over' : ''}">${extra}</td>`;
}

/** A mean of whole windows: at most two decimals, no trailing zeros. */
function trimmed(value: number): string {
  return String(Number(value.toFixed(2)));
}
