// What every chart of a run shares: the time axis (seconds from the run's start), the stages
// (ramp-up and ramp-down greyed, steady state named in the band above the plot), and the
// migrations shaded across the plot: pre-copy light, stop-and-copy dark, numbered above.
import { formatOffset, formatSeconds } from './format.ts';
import { LinearScale } from './scale.ts';
import type { MigrationSpan, RecoverySpan, Stage } from './timeline.ts';

export const WIDTH = 720;
/** How far above the plot's bottom the recovery strips lie: clear of the failed actions' marks (6 high). */
export const RECOVERY_LIFT = 13;

export interface Frame {
  width: number;
  height: number;
  /** The plot area, in SVG units. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  x: LinearScale;
  /** Seconds from run start at the right edge. */
  duration: number;
}

export function frame(duration: number, height: number, width = WIDTH): Frame {
  const left = 64;
  const right = width - 20;
  const top = 40;
  const bottom = height - 40;
  const end = Math.max(duration, 1);
  return { width, height, left, right, top, bottom, x: new LinearScale([0, end], [left, right]), duration: end };
}

/** A number as SVG needs it: one decimal is finer than a pixel. */
export function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Stage backgrounds and migration shading, drawn first so the lines go over them. */
export function backdrop(f: Frame, stages: readonly Stage[], spans: readonly MigrationSpan[]): string {
  const parts: string[] = [`<rect class="plot" x="${n(f.left)}" y="${n(f.top)}" width="${n(f.right - f.left)}" height="${n(f.bottom - f.top)}"/>`];
  for (const stage of stages) {
    if (stage.stage === 'steadyState') continue;
    parts.push(rect(f, 'ramp', stage.from, stage.to, `${stage.stage === 'rampUp' ? 'Ramp-up' : 'Ramp-down'}: not judged`));
  }
  for (const span of spans) parts.push(rect(f, span.kind, span.from, span.to, spanTitle(span), `data-migration="${span.index}"`));
  return parts.join('');
}

/**
 * Near the bottom of the plot (above where failed actions are marked), a strip from each
 * stop-and-copy's end to when the action's p90 was back (a tick there), or dashed as far as it was
 * watched when it was not back.
 */
export function recoveryMarks(f: Frame, spans: readonly RecoverySpan[]): string {
  return spans
    .map((span) => {
      const x0 = f.x.at(span.from);
      const x1 = Math.max(f.x.at(span.to), x0 + 1.5);
      const length = formatSeconds(span.to - span.from);
      const title = span.back ? `Migration ${span.index}: p90 back ${length} after stop-and-copy (at ${formatOffset(span.to)})` : `Migration ${span.index}: p90 not back within the ${length} watched`;
      const y = f.bottom - RECOVERY_LIFT;
      const tick = span.back ? `<line class="recovery-end" x1="${n(x1)}" x2="${n(x1)}" y1="${n(y - 6)}" y2="${n(y + 11)}"/>` : '';
      return `<g class="recovery${span.back ? '' : ' not-back'}" data-migration="${span.index}"><title>${title}</title><rect x="${n(x0)}" y="${n(y)}" width="${n(x1 - x0)}" height="5"/>${tick}</g>`;
    })
    .join('');
}

/** The band above the plot: the stages as a bar, and each migration's number over its start. */
export function band(f: Frame, stages: readonly Stage[], spans: readonly MigrationSpan[]): string {
  const parts: string[] = [];
  const y = f.top - 24;
  for (const stage of stages) {
    const x0 = f.x.at(stage.from);
    const x1 = f.x.at(stage.to);
    const steady = stage.stage === 'steadyState';
    parts.push(`<rect class="stage ${steady ? 'steady' : 'ramping'}" x="${n(x0)}" y="${n(y)}" width="${n(Math.max(x1 - x0 - 1, 0))}" height="5"/>`);
    const label = steady ? `steady state · ${formatOffset(stage.to - stage.from)}` : stage.stage === 'rampUp' ? 'ramp-up' : 'ramp-down';
    if (x1 - x0 > label.length * 6.2) parts.push(`<text class="stage-label" x="${n((x0 + x1) / 2)}" y="${n(y - 4)}">${label}</text>`);
  }
  const starts = new Map<number, number>();
  for (const span of spans) starts.set(span.index, Math.min(starts.get(span.index) ?? Infinity, span.from));
  for (const [index, from] of starts) {
    const x = f.x.at(from);
    parts.push(`<path class="migration-mark" d="M${n(x)} ${n(f.top - 12)}l-4 -6h8z"/><text class="migration-label" x="${n(x + 6)}" y="${n(f.top - 7)}">M${index}</text>`);
  }
  return parts.join('');
}

/** The time axis: ticks at round durations, labelled m:ss. */
export function timeAxis(f: Frame): string {
  const step = timeStep(f.duration);
  const parts: string[] = [`<line class="axis" x1="${n(f.left)}" x2="${n(f.right)}" y1="${n(f.bottom)}" y2="${n(f.bottom)}"/>`];
  for (let t = 0; t <= f.duration + 1e-9; t += step) {
    const x = f.x.at(t);
    parts.push(`<line class="tick" x1="${n(x)}" x2="${n(x)}" y1="${n(f.bottom)}" y2="${n(f.bottom + 4)}"/>`);
    parts.push(`<text class="x-tick" x="${n(x)}" y="${n(f.bottom + 16)}">${formatOffset(t)}</text>`);
  }
  parts.push(`<text class="axis-title" x="${n((f.left + f.right) / 2)}" y="${n(f.bottom + 33)}">time since the run started (${f.duration >= 60 ? 'min:s' : 's'})</text>`);
  return parts.join('');
}

/** The invisible layer the hover script listens on, and the guide line it moves. */
export function hoverLayer(f: Frame): string {
  return (
    `<line class="guide" x1="0" x2="0" y1="${n(f.top)}" y2="${n(f.bottom)}" visibility="hidden"/>` +
    `<rect class="hit" x="${n(f.left)}" y="${n(f.top)}" width="${n(f.right - f.left)}" height="${n(f.bottom - f.top)}"/>`
  );
}

/**
 * A polyline through the points that have a value; a missing value breaks the line. Written
 * compactly (relative moves between positions rounded to a tenth, the "l" left implicit), since a
 * run's charts hold tens of thousands of points: differences of rounded positions add up exactly.
 */
export function linePath(xs: readonly number[], ys: readonly (number | null)[]): string {
  let path = '';
  let drawing = false;
  let lastX = 0;
  let lastY = 0;
  for (let index = 0; index < xs.length; index++) {
    const value = ys[index];
    if (value === null || value === undefined) {
      drawing = false;
      continue;
    }
    const x = Math.round(xs[index]! * 10);
    const y = Math.round(value * 10);
    if (drawing) {
      path += `${path.endsWith('l') ? '' : ' '}${tenths(x - lastX)}`;
      path += tenths(y - lastY).startsWith('-') ? tenths(y - lastY) : ` ${tenths(y - lastY)}`;
    } else {
      path += `M${tenths(x)} ${tenths(y)}l`;
    }
    lastX = x;
    lastY = y;
    drawing = true;
  }
  // A line of one point ends in a bare "l", which is not valid path data.
  return path.replace(/l(?=M|$)/g, '');
}

/** A count of tenths as the shortest decimal: 9 -> ".9", -123 -> "-12.3", 40 -> "4". */
function tenths(count: number): string {
  const text = String(count / 10);
  return text.replace(/^(-?)0\./, '$1.');
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

function timeStep(duration: number): number {
  return TIME_STEPS.find((step) => duration / step <= 9) ?? 86_400 * Math.ceil(duration / 86_400 / 9);
}

function rect(f: Frame, kind: string, from: number, to: number, title: string, extra = ''): string {
  const x0 = f.x.at(from);
  // A downtime of a fraction of a pixel must still be seen.
  const width = Math.max(f.x.at(to) - x0, 1.5);
  return `<rect class="${kind}" x="${n(x0)}" y="${n(f.top)}" width="${n(width)}" height="${n(f.bottom - f.top)}" ${extra}><title>${title}</title></rect>`;
}

function spanTitle(span: MigrationSpan): string {
  const length = formatSeconds(span.to - span.from);
  const what = span.kind === 'preCopy' ? 'pre-copy' : span.kind === 'stopAndCopy' ? 'stop-and-copy (downtime)' : 'live migration';
  return `Migration ${span.index}: ${what}, ${length} (from ${formatOffset(span.from)} to ${formatOffset(span.to)})`;
}
