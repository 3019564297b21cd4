// One action's response time over a run, as the study's Figures 2 and 3 show it: thin lines for
// each second's percentiles, thick lines for the sliding SLA windows' percentiles (plotted at
// the window's end), the action's threshold dashed, the migrations shaded behind. Drawn twice,
// on a linear and on a logarithmic axis; the page shows one of them (the reader's choice).
import { backdrop, band, frame, hoverLayer, linePath, n, recoveryMarks, timeAxis, type Frame } from './chart-frame.ts';
import { formatMsTick } from './format.ts';
import { escapeHtml } from './html.ts';
import { LinearScale, LogScale, niceLinearDomain, type Scale } from './scale.ts';
import type { ActionSeries, RunSeries } from './series.ts';
import { percentileColor } from './palette.ts';
import type { MigrationSpan, RecoverySpan, Stage } from './timeline.ts';

const HEIGHT = 300;

export interface ResponseTimeChart {
  action: ActionSeries;
  run: RunSeries;
  thresholdMs: number | null;
  stages: readonly Stage[];
  spans: readonly MigrationSpan[];
  /** This action's recovery after each migration; none when not measured. */
  recovery?: readonly RecoverySpan[];
  /** Seconds from run start at the right edge. */
  duration: number;
  /** Accessible name. */
  label: string;
}

export function responseTimeSvg(chart: ResponseTimeChart): string {
  const f = frame(chart.duration, HEIGHT);
  const xs = chart.action.times.map((t) => f.x.at(t));
  const windowXs = chart.action.windowEnds.map((t) => f.x.at(t));
  const { high, low, focus } = valueRange(chart);
  // A lone peak (the seconds right after a downtime) would flatten everything else on a linear
  // axis: the axis then stops a little above the threshold and the windows, and the peak is
  // clipped at the top with its value written there. The logarithmic axis shows it whole.
  const clipped = high > focus * 1.6;
  const linearDomain = niceLinearDomain(0, (clipped ? focus * 1.2 : high) * 1.05);
  const linear = new LinearScale(linearDomain.domain, [f.bottom, f.top], linearDomain.step);
  const log = new LogScale(low, high, [f.bottom, f.top]);
  return [
    `<svg class="chart response-time" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${escapeHtml(chart.label)}">`,
    backdrop(f, chart.stages, chart.spans),
    recoveryMarks(f, chart.recovery ?? []),
    `<g class="y-lin">${valueLayer(f, linear, chart, xs, windowXs)}${clipped ? peakLabel(f, chart, xs, high) : ''}</g>`,
    `<g class="y-log">${valueLayer(f, log, chart, xs, windowXs)}</g>`,
    errorMarks(f, chart, xs),
    band(f, chart.stages, chart.spans),
    timeAxis(f),
    `<text class="axis-title" transform="translate(14 ${n((f.top + f.bottom) / 2)}) rotate(-90)">response time</text>`,
    hoverLayer(f),
    '</svg>',
  ].join('');
}

/**
 * The largest and the smallest positive value to show, and the range that matters most: the
 * threshold, the windows, and the seconds short of the few highest ones.
 */
function valueRange(chart: ResponseTimeChart): { high: number; low: number; focus: number } {
  let high = chart.thresholdMs ?? 0;
  let low = Infinity;
  const visit = (value: number | null | undefined) => {
    if (value === null || value === undefined || !(value > 0)) return;
    if (value > high) high = value;
    if (value < low) low = value;
  };
  for (const values of Object.values(chart.action.perBucket)) values.forEach(visit);
  const windowed = Object.values(chart.action.windowed).flat();
  windowed.forEach(visit);
  if (high <= 0) high = 1000;
  if (!Number.isFinite(low)) low = high / 10;
  const top = chart.run.bucketPercentiles.at(-1);
  const seconds = (top === undefined ? [] : (chart.action.perBucket[String(top)] ?? [])).filter((v): v is number => v !== null).sort((a, b) => a - b);
  const usual = seconds[Math.floor(seconds.length * 0.98)] ?? 0;
  const focus = Math.max(chart.thresholdMs ?? 0, ...windowed, usual) || high;
  return { high, low: Math.min(low, chart.thresholdMs ?? low), focus };
}

/** Where a clipped peak is, and how high it went. */
function peakLabel(f: Frame, chart: ResponseTimeChart, xs: readonly number[], peak: number): string {
  let at = -1;
  for (const values of Object.values(chart.action.perBucket)) {
    const index = values.indexOf(peak);
    if (index >= 0) at = index;
  }
  if (at < 0) return '';
  const x = xs[at]!;
  const rightHalf = x > (f.left + f.right) / 2;
  return `<text class="peak-label" x="${n(rightHalf ? x - 5 : x + 5)}" y="${n(f.top + 12)}" text-anchor="${rightHalf ? 'end' : 'start'}">peak ${formatMsTick(peak)} ↑</text>`;
}

/** Everything whose height depends on the y axis: grid, threshold, lines. */
function valueLayer(f: Frame, y: Scale, chart: ResponseTimeChart, xs: readonly number[], windowXs: readonly number[]): string {
  const parts: string[] = [];
  for (const tick of y.ticks()) {
    const at = y.at(tick);
    parts.push(`<line class="grid" x1="${n(f.left)}" x2="${n(f.right)}" y1="${n(at)}" y2="${n(at)}"/>`);
    parts.push(`<text class="y-tick" x="${n(f.left - 6)}" y="${n(at + 4)}">${formatMsTick(tick)}</text>`);
  }
  const { perBucket, windowed } = chart.action;
  const percentiles = chart.run.bucketPercentiles;
  for (const percentile of percentiles) {
    const values = perBucket[String(percentile)] ?? [];
    const path = linePath(xs, values.map((v) => (v === null ? null : y.at(v))));
    if (path) parts.push(`<path class="per-second" stroke="${percentileColor(percentile)}" d="${path}" data-series="p${percentile}"/>`);
  }
  for (const percentile of chart.run.windowPercentiles) {
    const values = windowed[String(percentile)] ?? [];
    const path = linePath(windowXs, values.map((v) => y.at(v)));
    if (!path) continue;
    parts.push(`<path class="halo" d="${path}"/>`);
    parts.push(`<path class="windowed" stroke="${percentileColor(percentile)}" d="${path}" data-series="window p${percentile}"/>`);
  }
  if (chart.thresholdMs !== null) {
    const at = y.at(chart.thresholdMs);
    parts.push(`<line class="threshold" x1="${n(f.left)}" x2="${n(f.right)}" y1="${n(at)}" y2="${n(at)}"/>`);
    parts.push(`<text class="threshold-label" x="${n(f.right - 4)}" y="${n(at - 5)}">SLA ${formatMsTick(chart.thresholdMs)}</text>`);
  }
  return parts.join('');
}

/** Red marks along the bottom where actions failed (connection refused, timeouts, bad replies). */
function errorMarks(f: Frame, chart: ResponseTimeChart, xs: readonly number[]): string {
  const width = Math.max((f.right - f.left) / Math.max(xs.length, 1), 2);
  const parts: string[] = [];
  chart.action.errors.forEach((errors, index) => {
    if (errors === 0) return;
    parts.push(
      `<rect class="error-mark" x="${n(xs[index]! - width / 2)}" y="${n(f.bottom - 6)}" width="${n(width)}" height="6"><title>${errors} failed at ${Math.round(chart.action.times[index]!)} s</title></rect>`,
    );
  });
  return parts.join('');
}
