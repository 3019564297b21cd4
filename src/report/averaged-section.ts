// The summary's Figure 3: per action, the runs' windowed percentiles averaged aligned at their
// first migration, with the spread between runs (mean ± one standard deviation). Shown with two
// runs or more that migrated; the maths is aligned-average.ts's.
import { durationMs, type ActionSummary, type MigrationExperiment } from '../api/v1alpha1/index.ts';
import { averagedActions } from './aligned-average.ts';
import { averagedSvg } from './averaged-chart.ts';
import { formatOffset, formatSeconds, percentileName } from './format.ts';
import { html, raw, type Markup } from './html.ts';
import type { RunReportInput } from './input.ts';
import { percentileColor } from './palette.ts';
import type { RunSeries } from './series.ts';

export function averagedSection(experiment: MigrationExperiment, runs: readonly { run: RunReportInput; series: RunSeries }[], actions: readonly ActionSummary[]): Markup {
  const { sla } = experiment.spec;
  const averaged = averagedActions(runs, durationMs(sla.step) / 1000);
  if (averaged.runs < 2 || averaged.actions.length === 0) return html``;
  const durations = runs.flatMap(({ run }) => run.migrations.slice(0, 1).map((m) => m.durationSeconds)).filter((s): s is number => s !== undefined);
  const migrationSeconds = durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : undefined;
  const percentiles = [...sla.percentiles].sort((a, b) => a - b);
  const window = formatOffset(durationMs(sla.window) / 1000);
  return html`<h3>Averaged over ${averaged.runs} runs, aligned at the migration</h3>
<div class="legend">${percentiles.map(
    (p) =>
      html`<span>${raw(`<svg width="26" height="12" aria-hidden="true"><rect y="1" width="26" height="10" fill="${percentileColor(p)}" class="spread"/><line x1="1" x2="25" y1="6" y2="6" stroke="${percentileColor(p)}" stroke-width="3"/></svg>`)}mean ${percentileName(p)} of the ${window} window ending there, ± 1 sd over the runs</span>`,
  )}<span>${raw('<svg width="16" height="12" aria-hidden="true"><rect width="16" height="12" fill="#f2cf63" fill-opacity="0.6"/></svg>')}the migration, mean length${migrationSeconds === undefined ? '' : ` ${formatSeconds(migrationSeconds)}`}</span></div>
<div class="charts">${averaged.actions.map((average) => {
    const threshold = actions.find((a) => a.action === average.action)?.thresholdSeconds;
    const thresholdMs = threshold ? threshold * 1000 : null;
    return html`<figure data-averaged="${average.action}">
<figcaption><h4>${average.action}</h4><span class="stats"><span class="stat">${averaged.runs} runs</span>${thresholdMs === null ? '' : html`<span class="stat">SLA ${formatSeconds(threshold)}</span>`}</span></figcaption>
${raw(averagedSvg({ curves: average.percentiles, thresholdMs, migrationSeconds, label: `${average.action}: windowed response time averaged over ${averaged.runs} runs, aligned at the migration` }))}
</figure>`;
  })}</div>`;
}
