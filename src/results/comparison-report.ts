// The HTML page of `migrascope compare A B --report F.html`, in the report's conventions (one
// self-contained file, the same page, style and verdict badges): per action and percentile the
// two Table-2 values, their means with 95 % intervals, the difference and whether it exceeds the
// runs' spread; the migrations' time and downtime; the verdicts. A campaign gets one such table
// per level.
import { formatSeconds, percentileName } from '../report/format.ts';
import { html, type Markup } from '../report/html.ts';
import { page } from '../report/page.ts';
import { verdictBadge } from '../report/tables.ts';
import type { Comparison, ExperimentComparison, FigureComparison, SideFigure } from './comparison.ts';

export function renderComparisonReport(comparison: Comparison, generatedAt: Date): string {
  const [a, b] = comparison.kind === 'MigrationExperiment' ? [comparison.experiments.a, comparison.experiments.b] : [comparison.a, comparison.b];
  const levels = comparison.kind === 'MigrationCampaign' ? comparison.levels : [];
  return page({
    title: `${a.name} vs ${b.name} · migrascope comparison`,
    nav: levels.map((level, i): [string, string] => [`level-${i + 1}`, level.label]),
    charts: false,
    generatedAt,
    body: html`<section class="card" id="top">
<div class="headline"><div><span class="kind">${comparison.kind === 'MigrationCampaign' ? 'Campaigns' : 'Experiments'} compared</span><h1>A: ${a.name} · B: ${b.name}</h1>
<div class="subtitle">A ${a.phase ?? 'not run'}, ${a.runs} ${comparison.kind === 'MigrationCampaign' ? 'level(s)' : 'run(s)'} · B ${b.phase ?? 'not run'}, ${b.runs} ${comparison.kind === 'MigrationCampaign' ? 'level(s)' : 'run(s)'}</div></div></div>
<p class="subtitle">Differences are B − A. <b>Exceeds spread</b>: the two 95 % confidence intervals of the mean windowed maximum do not overlap (Student's t over each side's runs); “unknown” when a side has a single run and so no measured spread.</p>
${comparison.kind === 'MigrationCampaign' ? recommendation(comparison.recommendation) : ''}
</section>
${comparison.kind === 'MigrationExperiment' ? experimentSection(comparison.experiments, 'Per action', 'actions') : levels.map((level, i) => experimentSection(level.comparison, level.label, `level-${i + 1}`))}`,
  });
}

function recommendation(text: { a?: string; b?: string }): Markup {
  return html`<dl class="facts"><div><dt>Recommendation A</dt><dd>${text.a ?? '–'}</dd></div><div><dt>Recommendation B</dt><dd>${text.b ?? '–'}</dd></div></dl>`;
}

function experimentSection(comparison: ExperimentComparison, title: string, anchor: string): Markup {
  return html`<section class="card" id="${anchor}">
<h2>${title}</h2>
<div class="subtitle">A: ${comparison.a.name} (${comparison.a.phase ?? 'not run'}) · B: ${comparison.b.name} (${comparison.b.phase ?? 'not run'})</div>
<h3>Verdicts</h3>
<table class="verdicts-compared"><thead><tr><th>SLA</th><th>A</th><th>B</th></tr></thead>
<tbody>${comparison.verdicts.map((v) => html`<tr data-percentile="${v.percentile}"><th scope="row">${percentileName(v.percentile)}</th><td>${verdictBadge(v.a)}</td><td>${verdictBadge(v.b)}</td></tr>`)}</tbody></table>
<h3>Windowed maxima per action (seconds)</h3>
<div class="table-scroll"><table class="actions compared">
<thead><tr><th rowspan="2">Action</th><th rowspan="2">Percentile</th><th rowspan="2" class="num">Threshold</th><th colspan="3" class="group">Maximum recorded (worst run)</th><th colspan="3" class="group">Mean over runs ± 95 % CI</th><th rowspan="2">Exceeds spread</th><th rowspan="2">Verdict A</th><th rowspan="2">Verdict B</th></tr>
<tr><th class="num">A</th><th class="num">B</th><th class="num">B − A</th><th class="num">A</th><th class="num">B</th><th class="num">B − A</th></tr></thead>
<tbody>${comparison.actions.map(
    (row) =>
      html`<tr data-action="${row.action}" data-percentile="${row.percentile}"><th scope="row">${row.action}</th><td>${percentileName(row.percentile)}</td><td class="num">${formatSeconds(row.thresholdSeconds)}</td>${figureCells(row)}<td>${verdictBadge(row.verdictA)}</td><td>${verdictBadge(row.verdictB)}</td></tr>`,
  )}</tbody></table></div>
<h3>Migrations (seconds, every migration of every run)</h3>
<table class="migrations compared">
<thead><tr><th rowspan="2">Figure</th><th colspan="3" class="group">Longest</th><th colspan="3" class="group">Mean ± 95 % CI</th><th rowspan="2">Exceeds spread</th></tr>
<tr><th class="num">A</th><th class="num">B</th><th class="num">B − A</th><th class="num">A</th><th class="num">B</th><th class="num">B − A</th></tr></thead>
<tbody><tr data-figure="migration"><th scope="row">Migration time</th>${figureCells(comparison.migrationSeconds)}</tr><tr data-figure="downtime"><th scope="row">Downtime seen by clients</th>${figureCells(comparison.downtimeSeconds)}</tr></tbody></table>
</section>`;
}

function figureCells(figure: FigureComparison): Markup {
  return html`<td class="num">${formatSeconds(figure.a.worst)}</td><td class="num">${formatSeconds(figure.b.worst)}</td>${difference(figure.worstDifference)}<td class="num">${meanText(figure.a)}</td><td class="num">${meanText(
    figure.b,
  )}</td>${difference(figure.meanDifference)}<td class="exceeds ${figure.exceeds}">${figure.exceeds === 'yes' ? '✗ yes' : figure.exceeds === 'no' ? 'no' : 'unknown'}</td>`;
}

function difference(seconds: number | undefined): Markup {
  if (seconds === undefined) return html`<td class="num">–</td>`;
  return html`<td class="num ${seconds > 0 ? 'over' : ''}">${seconds > 0 ? '+' : seconds < 0 ? '−' : '±'}${formatSeconds(Math.abs(seconds))}</td>`;
}

/** "1.10 s ± 0.20 s": the mean and the half-width of its interval. */
export function meanText(figure: SideFigure): string {
  if (figure.mean === undefined) return '–';
  if (!figure.ci95) return formatSeconds(figure.mean);
  return `${formatSeconds(figure.mean)} ± ${formatSeconds((figure.ci95.high - figure.ci95.low) / 2)}`;
}
