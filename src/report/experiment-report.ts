// An experiment's report: the header with the verdicts, a summary over the runs when there are
// several (the study averaged 5), then one section per run with its tables and charts.
import type { MigrationExperiment, PercentileVerdict, RunResult, RunSummary } from '../api/v1alpha1/index.ts';
import { BASELINE_ANCHOR, baselineSection } from './baseline-section.ts';
import { breachesOf, experimentFacts, verdictBadges } from './experiment-header.ts';
import { formatCount, formatInstant, formatSeconds, percentileName } from './format.ts';
import { html, type Markup } from './html.ts';
import type { ExperimentReportInput, RunReportInput } from './input.ts';
import { page } from './page.ts';
import { averagedSection } from './averaged-section.ts';
import { runSection } from './run-section.ts';
import { runSeries, type RunSeries } from './series.ts';
import { summaryTable, verdictBadge } from './tables.ts';

export function renderExperimentReport(input: ExperimentReportInput): string {
  const { experiment, runs } = input;
  const name = qualifiedName(experiment);
  return page({
    title: `${name} · migrascope report`,
    nav: [...(runs.length > 1 ? [['summary', 'Summary'] as [string, string]] : []), ...(input.baseline || experiment.status?.baseline ? [[BASELINE_ANCHOR, 'Baseline'] as [string, string]] : []), ...runs.map((run): [string, string] => [runAnchor('', run), `Run ${run.result.index}`])],
    charts: runs.length > 0 || input.baseline !== undefined,
    body: experimentBody(input, ''),
    generatedAt: input.generatedAt,
  });
}

/** The report's content without the document around it (a campaign report embeds it). */
export function experimentBody(input: ExperimentReportInput, anchorPrefix: string): Markup {
  const { experiment, runs, summary } = input;
  const results = runs.map((run) => run.result);
  const percentiles = [...experiment.spec.sla.percentiles].sort((a, b) => a - b);
  const verdicts = overallVerdicts(results, summary, percentiles);
  const breaches = summary?.actions ? breachesOf(summary.actions) : breachesOf(results.flatMap((run) => run.actions ?? []));
  const drawn: { run: RunReportInput; series: RunSeries }[] = runs.map((run) => ({ run, series: runSeries(run.seconds, run.plan, experiment.spec.sla) }));
  const starts = runs.map((run) => run.plan.startAtMs);
  const ends = runs.map((run) => run.plan.endMs);
  return html`<section class="card" id="${anchorPrefix}top">
<div class="headline"><div><span class="kind">MigrationExperiment</span><h1>${qualifiedName(experiment)}</h1>
<div class="subtitle">${experiment.status?.phase ?? 'not run'} · ${runs.length} ${runs.length === 1 ? 'run' : 'runs'} reported · generated ${formatInstant(input.generatedAt)}</div></div>
${verdictBadges(verdicts, breaches)}</div>
${input.notice ? html`<p class="message notice">${input.notice}</p>` : ''}
${input.csvHref ? html`<p class="subtitle">Data: <a href="${input.csvHref}" download>per-second percentiles, windows and migrations (CSV)</a></p>` : ''}
${experimentFacts(experiment, { from: starts.length ? Math.min(...starts) : undefined, to: ends.length ? Math.max(...ends) : undefined })}
</section>
${runs.length > 1 ? summarySection(runs, summary, percentiles, anchorPrefix, averagedSection(experiment, drawn, summary?.actions ?? [])) : ''}
${baselineSection(experiment, input.baseline, anchorPrefix)}
${runs.length === 0 ? html`<section class="card"><p class="empty">No run has started yet.</p></section>` : ''}
${drawn.map(({ run, series }) => runSection(experiment, run, runAnchor(anchorPrefix, run), series))}`;
}

function runAnchor(prefix: string, run: RunReportInput): string {
  return `${prefix}run-${run.result.index}`;
}

function qualifiedName(experiment: MigrationExperiment): string {
  const { name, namespace } = experiment.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** The summary's verdicts; without one, a percentile is broken when any run broke it. */
function overallVerdicts(runs: readonly RunResult[], summary: RunSummary | undefined, percentiles: readonly number[]): PercentileVerdict[] {
  if (summary?.verdicts?.length) return summary.verdicts;
  const judged = runs.filter((run) => run.verdicts?.length);
  if (judged.length === 0) return [];
  return percentiles.map((percentile) => ({
    percentile,
    verdict: judged.some((run) => run.verdicts?.some((v) => v.percentile === percentile && v.verdict !== 'Pass')) ? 'Fail' : 'Pass',
  }));
}

function summarySection(runs: readonly RunReportInput[], summary: RunSummary | undefined, percentiles: readonly number[], anchorPrefix: string, averaged: Markup): Markup {
  return html`<section class="card" id="${anchorPrefix}summary">
<h2>Summary over ${runs.length} runs</h2>
${summary ? migrationSummary(summary) : html`<p class="empty">No summary yet.</p>`}
<h3>Actions: mean and worst of each run's highest window</h3>
<div class="table-scroll">${summary ? summaryTable(summary, percentiles) : ''}</div>
${averaged}
<h3>Runs</h3>
<div class="table-scroll"><table class="runs">
<thead><tr><th>Run</th><th>State</th>${percentiles.map((p) => html`<th>${percentileName(p)}</th>`)}<th class="num">Migrations</th><th class="num">Longest migration</th><th class="num">Longest downtime</th><th class="num">Actions</th><th class="num">Errors</th></tr></thead>
<tbody>${runs.map((run) => {
    const { result } = run;
    const migrations = (result.migrations ?? []).filter((m) => m.state === 'Succeeded');
    const longest = (values: (number | undefined)[]) => {
      const known = values.filter((v): v is number => v !== undefined);
      return known.length ? Math.max(...known) : undefined;
    };
    return html`<tr data-run="${result.index}"><th scope="row"><a href="#${runAnchor(anchorPrefix, run)}">Run ${result.index}</a></th><td>${result.state}</td>${percentiles.map(
      (p) => html`<td>${verdictBadge(result.verdicts?.find((v) => v.percentile === p)?.verdict)}</td>`,
    )}<td class="num">${migrations.length}</td><td class="num">${formatSeconds(longest(migrations.map((m) => m.durationSeconds)))}</td><td class="num">${formatSeconds(
      longest(migrations.map((m) => m.downtimeSeconds)),
    )}</td><td class="num">${formatCount((result.actions ?? []).reduce((sum, a) => sum + a.count, 0))}</td><td class="num">${formatCount(
      (result.actions ?? []).reduce((sum, a) => sum + a.errors, 0),
    )}</td></tr>`;
  })}</tbody></table></div>
</section>`;
}

function migrationSummary(summary: RunSummary): Markup {
  if (summary.migrations === 0) return html`<p>No migration completed in these runs.</p>`;
  return html`<p><b>${summary.migrations}</b> ${summary.migrations === 1 ? 'migration' : 'migrations'} completed: took ${formatSeconds(summary.meanMigrationSeconds)} on average (longest ${formatSeconds(
    summary.maxMigrationSeconds,
  )}); the clients saw ${formatSeconds(summary.meanDowntimeSeconds)} of downtime on average (longest ${formatSeconds(summary.maxDowntimeSeconds)}).${recoverySentence(summary)}</p>`;
}

/** How long users felt the migrations after stop-and-copy, over the runs. */
function recoverySentence(summary: RunSummary): Markup | string {
  const parts = [
    summary.meanRecoverySeconds === undefined ? undefined : html`every action's per-second p90 was back within 10 % of its earlier level ${formatSeconds(summary.meanRecoverySeconds)} after stop-and-copy on average (longest ${formatSeconds(summary.maxRecoverySeconds)})`,
    summary.meanSlaRecoverySeconds === undefined ? undefined : html`the SLA windows were back under threshold after ${formatSeconds(summary.meanSlaRecoverySeconds)} (longest ${formatSeconds(summary.maxSlaRecoverySeconds)})`,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? '' : html` Recovery: ${parts.map((part, i) => html`${i > 0 ? '; ' : ''}${part}`)}.`;
}
