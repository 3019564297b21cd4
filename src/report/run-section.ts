// One run of an experiment: its verdicts, the per-action table (the study's Table 2 figures), the
// migrations, and over time the throughput and one response-time chart per action with the
// migrations shaded (the study's Figures 2 and 3).
import type { ActionResult, MigrationExperiment } from '../api/v1alpha1/index.ts';
import { frame } from './chart-frame.ts';
import { breachesOf, verdictBadges } from './experiment-header.ts';
import { formatInstant, formatOffset, formatSeconds, percentileName } from './format.ts';
import { chartDataScript, type ChartData } from './hover-script.ts';
import { html, raw, type Markup } from './html.ts';
import type { RunReportInput } from './input.ts';
import { percentileColor } from './palette.ts';
import { responseTimeSvg } from './response-time-chart.ts';
import { slaOptions } from '../engine/run-analysis.ts';
import { BASELINE_RUN } from '../engine/run-numbers.ts';
import { runSeries, type ActionSeries, type RunSeries } from './series.ts';
import { actionTable, migrationRows, migrationTable, recoveryTable } from './tables.ts';
import { throughput, throughputSvg } from './throughput-chart.ts';
import { migrationSpans, recoverySpans, stages, type MigrationSpan, type RecoverySpan, type Stage } from './timeline.ts';

/** `series`: the run's lines when the caller drew them already (the summary averages them). */
export function runSection(experiment: MigrationExperiment, run: RunReportInput, anchor: string, series = runSeries(run.seconds, run.plan, experiment.spec.sla)): Markup {
  const { result, plan } = run;
  const sla = experiment.spec.sla;
  const options = slaOptions(sla, plan);
  const timeline: Timeline = {
    stages: stages(plan),
    spans: migrationSpans(plan, run.migrations),
    duration: Math.max((plan.endMs - plan.startAtMs) / 1000, 1),
    clock: plan.startAtMs,
  };
  const actions = result.actions ?? [];
  const migrations = migrationRows(plan, run.migrations, result.migrations ?? []);
  const thresholds = new Map(actions.map((a) => [a.action, a.thresholdSeconds]));
  const started = result.startTime ?? new Date(plan.startAtMs).toISOString();
  return html`<section class="card run" id="${anchor}" data-run="${result.index}">
<div class="run-head"><div><h2>${result.index === BASELINE_RUN ? 'Baseline run (no migration)' : `Run ${result.index}`}</h2><div class="subtitle">${result.state} · started ${formatInstant(started)} · ${formatOffset(timeline.duration)} long</div></div>${verdictBadges(result.verdicts ?? [], breachesOf(actions), 'small')}</div>
${result.message ? html`<p class="message">${result.message}</p>` : ''}
<h3>Actions in steady state</h3>
<div class="table-scroll">${actionTable(actions, options.percentiles)}</div>
<h3>Migrations</h3>
<div class="table-scroll">${migrationTable(migrations)}</div>
${migrations.some((row) => row.recovery) ? html`<h3>Recovery per action</h3>
<div class="table-scroll">${recoveryTable(migrations, thresholds)}</div>` : ''}
<h3>Over time</h3>
${legend(series, options.window / 1000, migrations.some((row) => row.recovery))}
${overview(series, timeline, anchor, result.index)}
${series.actions.length === 0 ? html`<p class="empty">No per-second data was recorded for this run.</p>` : ''}
<div class="charts">${series.actions.map((action, index) => {
    const judged = actions.find((a) => a.action === action.action);
    // The threshold as judged (status), else as the SLA states it.
    const thresholdMs = judged && judged.thresholdSeconds > 0 ? judged.thresholdSeconds * 1000 : (options.thresholds[action.action] ?? null);
    const recovery = recoverySpans(plan, result.migrations ?? [], action.action);
    return actionFigure(series, action, judged, thresholdMs, { ...timeline, recovery }, `${anchor}-a${index + 1}`, result.index);
  })}</div>
</section>`;
}

/** The run's time axis as every chart of it shares it. */
interface Timeline {
  stages: readonly Stage[];
  spans: readonly MigrationSpan[];
  /** Seconds from the run's start to its end. */
  duration: number;
  /** The run's start, epoch ms. */
  clock: number;
  /** One action's recovery after each migration (its chart only). */
  recovery?: readonly RecoverySpan[];
}

/** One action's chart, captioned with its threshold and its highest windows (red when broken). */
function actionFigure(series: RunSeries, action: ActionSeries, judged: ActionResult | undefined, thresholdMs: number | null, timeline: Timeline, id: string, run: number): Markup {
  const pointNote =
    action.bucketSeconds > series.bucketSeconds
      ? html`<span class="stat" title="Too few samples per second for percentiles: seconds merged">${action.bucketSeconds} s per point</span>`
      : '';
  const threshold = thresholdMs === null ? html`<span class="stat">no threshold</span>` : html`<span class="stat">SLA ${formatSeconds(thresholdMs / 1000)}</span>`;
  const maxima = series.windowPercentiles.map((p) => {
    const judgedP = judged?.percentiles.find((r) => r.percentile === p);
    const cls = judgedP === undefined ? '' : judgedP.verdict === 'Fail' ? 'over' : 'under';
    return html`<span class="stat ${cls}">max ${percentileName(p)} ${formatSeconds(judgedP?.maxSeconds)}</span>`;
  });
  const svg = responseTimeSvg({ action, run: series, thresholdMs, ...timeline, label: `${action.action}: response time over run ${run}` });
  return html`<figure data-chart="${id}-data" data-action="${action.action}">
<figcaption><h4>${action.action}</h4><span class="stats">${pointNote}${threshold}${maxima}</span></figcaption>
${raw(svg)}
${raw(chartDataScript(`${id}-data`, responseData(series, action, timeline)))}
</figure>`;
}

function overview(series: RunSeries, timeline: Timeline, anchor: string, run: number): Markup {
  const id = `${anchor}-overview`;
  const { ok, errors } = throughput(series);
  const data: ChartData = {
    ...axis(series, timeline),
    lines: [
      { name: 'completed', unit: '/s', color: '#0072B2', values: ok },
      { name: 'failed', unit: '/s', color: '#c62828', values: errors },
    ],
  };
  return html`<figure class="wide" data-chart="${id}-data" data-action="">
<figcaption><h4>Load</h4><span class="stats"><span class="stat">actions started per second, all actions${series.bucketSeconds > 1 ? `, ${series.bucketSeconds} s merged per point` : ''}</span></span></figcaption>
${raw(throughputSvg({ run: series, ...timeline, label: `Actions per second over run ${run}` }))}
${raw(chartDataScript(`${id}-data`, data))}
</figure>`;
}

function responseData(series: RunSeries, action: ActionSeries, timeline: Timeline): ChartData {
  return {
    ...axis(action, timeline),
    lines: [
      ...series.bucketPercentiles.map((p) => ({ name: `${percentileName(p)} this second`, unit: 'ms' as const, color: percentileColor(p), values: action.perBucket[String(p)] ?? [] })),
      { name: 'succeeded', unit: '/s' as const, color: '#9ca3af', values: action.ok.map((n) => n / action.bucketSeconds) },
      { name: 'failed', unit: '/s' as const, color: '#c62828', values: action.errors.map((n) => n / action.bucketSeconds) },
    ],
    windows: {
      ends: action.windowEnds,
      lines: series.windowPercentiles.map((p) => ({ name: `${percentileName(p)}, ${formatOffset(series.windowSeconds)} window`, color: percentileColor(p), values: action.windowed[String(p)] ?? [] })),
    },
  };
}

/** Where a chart's points lie, for the hover script: its own point length and the run's axis. */
function axis(series: { times: readonly number[]; bucketSeconds: number }, { clock, spans, duration }: Timeline) {
  const f = frame(duration, 100);
  return {
    t0: series.times[0] ?? 0,
    b: series.bucketSeconds,
    d: f.duration,
    x0: f.left,
    x1: f.right,
    clock,
    spans: spans.map((s): [number, number, string, number] => [s.from, s.to, s.kind, s.index]),
  };
}

/** What the lines, shades and marks mean: once per run, above its charts. */
function legend(series: RunSeries, windowSeconds: number, recovered: boolean): Markup {
  const line = (color: string, width: number, dash = '') =>
    raw(`<svg width="26" height="10" aria-hidden="true"><line x1="1" x2="25" y1="5" y2="5" stroke="${color}" stroke-width="${width}" ${dash ? `stroke-dasharray="${dash}"` : ''}/></svg>`);
  const box = (fill: string, opacity: number) => raw(`<svg width="16" height="12" aria-hidden="true"><rect width="16" height="12" fill="${fill}" fill-opacity="${opacity}"/></svg>`);
  const window = formatOffset(windowSeconds);
  return html`<div class="legend">${series.bucketPercentiles.map(
    (p) => html`<span>${line(percentileColor(p), 1.4)}${percentileName(p)} per ${series.bucketSeconds === 1 ? 'second' : `${series.bucketSeconds} s`}</span>`,
  )}${series.windowPercentiles.map((p) => html`<span>${line(percentileColor(p), 3)}${percentileName(p)} of the ${window} window ending there</span>`)}<span>${line('#111827', 1.6, '5 3')}SLA threshold</span><span>${box('#f2cf63', 0.6)}pre-copy</span><span>${box('#7d4fa8', 0.6)}stop-and-copy (downtime)</span>${recovered ? html`<span>${box('#1f8a70', 0.8)}recovery: until the action's p90 was back (dashed: not back)</span>` : ''}<span>${box('#eceef2', 1)}ramp-up / ramp-down (not judged)</span><span>${box('#c62828', 1)}failed actions</span></div>`;
}
