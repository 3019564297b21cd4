// One action's windowed percentiles averaged over the runs, aligned at the migration (the study's
// Figure 3): x is seconds relative to the first migration's start, the thick line the mean of the
// runs' windowed values, the shaded band the mean ± one sample standard deviation (clipped at 0),
// the migration's mean length shaded from 0, the threshold dashed. Drawn on a linear and on a
// logarithmic axis, as the per-run charts are.
import type { AveragedCurve } from './aligned-average.ts';
import { linePath, n, WIDTH } from './chart-frame.ts';
import { formatMsTick, formatOffset, formatSeconds } from './format.ts';
import { escapeHtml } from './html.ts';
import { percentileColor } from './palette.ts';
import { LinearScale, LogScale, niceLinearDomain, niceStep, type Scale } from './scale.ts';

const HEIGHT = 280;
const LEFT = 64;
const RIGHT = WIDTH - 20;
const TOP = 24;
const BOTTOM = HEIGHT - 40;

export interface AveragedChart {
  /** Keyed by percentile ("90"), ascending. */
  curves: Readonly<Record<string, AveragedCurve>>;
  thresholdMs: number | null;
  /** The runs' mean migration time, seconds: shaded from the start. */
  migrationSeconds: number | undefined;
  label: string;
}

export function averagedSvg(chart: AveragedChart): string {
  const curves = Object.entries(chart.curves).filter(([, c]) => c.offsets.length > 0);
  const offsets = curves.flatMap(([, c]) => c.offsets);
  const x = new LinearScale([Math.min(...offsets, 0), Math.max(...offsets, 1)], [LEFT, RIGHT]);
  const tops = curves.flatMap(([, c]) => c.mean.map((m, i) => m + c.stdDev[i]!));
  const high = Math.max(chart.thresholdMs ?? 0, ...tops, 1);
  const positive = curves.flatMap(([, c]) => c.mean).filter((v) => v > 0);
  const low = Math.min(...positive, chart.thresholdMs ?? Infinity, high / 10);
  const linear = niceLinearDomain(0, high * 1.05);
  const parts = [
    `<svg class="chart averaged" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(chart.label)}">`,
    `<rect class="plot" x="${LEFT}" y="${TOP}" width="${RIGHT - LEFT}" height="${BOTTOM - TOP}"/>`,
    migrationShade(x, chart.migrationSeconds),
    `<g class="y-lin">${valueLayer(x, new LinearScale(linear.domain, [BOTTOM, TOP], linear.step), curves, chart.thresholdMs)}</g>`,
    `<g class="y-log">${valueLayer(x, new LogScale(low, high, [BOTTOM, TOP]), curves, chart.thresholdMs)}</g>`,
    relativeAxis(x),
    `<text class="axis-title" transform="translate(14 ${n((TOP + BOTTOM) / 2)}) rotate(-90)">response time</text>`,
    '</svg>',
  ];
  return parts.join('');
}

function migrationShade(x: LinearScale, seconds: number | undefined): string {
  const at = x.at(0);
  const shade =
    seconds === undefined
      ? ''
      : `<rect class="migration" x="${n(at)}" y="${TOP}" width="${n(Math.max(x.at(seconds) - at, 1.5))}" height="${BOTTOM - TOP}"><title>migration, ${formatSeconds(seconds)} on average</title></rect>`;
  return `${shade}<path class="migration-mark" d="M${n(at)} ${TOP - 2}l-4 -6h8z"/><text class="migration-label" x="${n(at + 6)}" y="${TOP - 3}">migration starts</text>`;
}

function valueLayer(x: LinearScale, y: Scale, curves: readonly [string, AveragedCurve][], thresholdMs: number | null): string {
  const parts: string[] = [];
  for (const tick of y.ticks()) {
    const at = y.at(tick);
    parts.push(`<line class="grid" x1="${LEFT}" x2="${RIGHT}" y1="${n(at)}" y2="${n(at)}"/><text class="y-tick" x="${LEFT - 6}" y="${n(at + 4)}">${formatMsTick(tick)}</text>`);
  }
  for (const [percentile, curve] of curves) {
    const xs = curve.offsets.map((o) => x.at(o));
    const upper = curve.mean.map((m, i) => y.at(m + curve.stdDev[i]!));
    const lower = curve.mean.map((m, i) => y.at(Math.max(m - curve.stdDev[i]!, 0)));
    const outline = [...xs.map((px, i) => `${n(px)},${n(upper[i]!)}`), ...xs.map((px, i) => `${n(px)},${n(lower[i]!)}`).reverse()].join(' ');
    parts.push(`<polygon class="spread" fill="${percentileColor(Number(percentile))}" points="${outline}" data-series="p${percentile} ± sd"/>`);
  }
  for (const [percentile, curve] of curves) {
    const path = linePath(
      curve.offsets.map((o) => x.at(o)),
      curve.mean.map((m) => y.at(m)),
    );
    parts.push(`<path class="halo" d="${path}"/><path class="windowed" stroke="${percentileColor(Number(percentile))}" d="${path}" data-series="mean p${percentile}"/>`);
  }
  if (thresholdMs !== null) {
    const at = y.at(thresholdMs);
    parts.push(`<line class="threshold" x1="${LEFT}" x2="${RIGHT}" y1="${n(at)}" y2="${n(at)}"/><text class="threshold-label" x="${RIGHT - 4}" y="${n(at - 5)}">SLA ${formatMsTick(thresholdMs)}</text>`);
  }
  return parts.join('');
}

/** Ticks at round durations on both sides of the migration's start. */
function relativeAxis(x: LinearScale): string {
  const [from, to] = x.domain;
  const step = Math.max(1, niceStep((to - from) / 8));
  const parts = [`<line class="axis" x1="${LEFT}" x2="${RIGHT}" y1="${BOTTOM}" y2="${BOTTOM}"/>`];
  for (let t = Math.ceil(from / step) * step; t <= to + 1e-9; t += step) {
    const at = x.at(t);
    parts.push(`<line class="tick" x1="${n(at)}" x2="${n(at)}" y1="${BOTTOM}" y2="${BOTTOM + 4}"/><text class="x-tick" x="${n(at)}" y="${BOTTOM + 16}">${t > 0 ? '+' : ''}${formatOffset(t)}</text>`);
  }
  parts.push(`<text class="axis-title" x="${n((LEFT + RIGHT) / 2)}" y="${BOTTOM + 33}">time from the migration's start (window end)</text>`);
  return parts.join('');
}
