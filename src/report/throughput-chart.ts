// The run at a glance: completed actions per second over all actions, failures in red on top,
// with the same stages and migration shading as the per-action charts. The stop-and-copy shows
// here as the dip where nothing completes, and a dropped request as red.
import { backdrop, band, frame, hoverLayer, linePath, n, timeAxis } from './chart-frame.ts';
import { escapeHtml } from './html.ts';
import { LinearScale, niceLinearDomain } from './scale.ts';
import type { RunSeries } from './series.ts';
import type { MigrationSpan, Stage } from './timeline.ts';

const HEIGHT = 200;
/** Spans the section's width, so it is drawn wider than the per-action charts (same text size). */
const OVERVIEW_WIDTH = 1400;

export interface ThroughputChart {
  run: RunSeries;
  stages: readonly Stage[];
  spans: readonly MigrationSpan[];
  duration: number;
  label: string;
}

/** Per point, actions per second: successes and failures over all actions. */
export function throughput(run: RunSeries): { ok: number[]; errors: number[] } {
  return { ok: run.ok.map((n) => n / run.bucketSeconds), errors: run.errors.map((n) => n / run.bucketSeconds) };
}

export function throughputSvg(chart: ThroughputChart): string {
  const f = frame(chart.duration, HEIGHT, OVERVIEW_WIDTH);
  const { ok, errors } = throughput(chart.run);
  const high = Math.max(1, ...ok.map((value, index) => value + errors[index]!));
  const { domain, step } = niceLinearDomain(0, high * 1.05, 4);
  const y = new LinearScale(domain, [f.bottom, f.top], step);
  const xs = chart.run.times.map((t) => f.x.at(t));
  const parts: string[] = [
    `<svg class="chart throughput" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${escapeHtml(chart.label)}">`,
    backdrop(f, chart.stages, chart.spans),
  ];
  for (const tick of y.ticks()) {
    const at = y.at(tick);
    parts.push(`<line class="grid" x1="${n(f.left)}" x2="${n(f.right)}" y1="${n(at)}" y2="${n(at)}"/>`);
    parts.push(`<text class="y-tick" x="${n(f.left - 6)}" y="${n(at + 4)}">${tick}</text>`);
  }
  if (xs.length > 0) {
    const okLine = linePath(xs, ok.map((v) => y.at(v)));
    parts.push(`<path class="ok-area" d="${okLine}L${n(xs.at(-1)!)} ${n(f.bottom)}L${n(xs[0]!)} ${n(f.bottom)}Z"/>`);
    parts.push(`<path class="ok-line" d="${okLine}" data-series="completed"/>`);
    const failed = errors.some((value) => value > 0);
    if (failed) {
      const top = linePath(xs, ok.map((v, index) => y.at(v + errors[index]!)));
      const base = linePath([...xs].reverse(), [...ok].reverse().map((v) => y.at(v))).replace(/^M/, 'L');
      parts.push(`<path class="error-area" d="${top}${base}Z" data-series="failed"/>`);
    }
  }
  parts.push(band(f, chart.stages, chart.spans), timeAxis(f));
  parts.push(`<text class="axis-title" transform="translate(14 ${n((f.top + f.bottom) / 2)}) rotate(-90)">actions/s</text>`);
  parts.push(hoverLayer(f), '</svg>');
  return parts.join('');
}
