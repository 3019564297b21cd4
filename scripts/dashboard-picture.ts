// The dashboard drawn from Prometheus's answers, as Grafana lays it out (rows of two time series
// panels, dark theme), for the picture in the README: no Grafana server is involved. Each panel's
// series are the query_range results of test/support/dashboard-run.ts; the axes use the report's
// scales (src/report/scale.ts); threshold queries are dashed; the migration annotation shades the
// panels where Grafana would draw its marker.
import type { PanelData, QueryData, RangeSeries } from '../test/support/dashboard-run.ts';
import { escapeHtml } from '../src/report/html.ts';
import { LinearScale, niceLinearDomain } from '../src/report/scale.ts';

const PANEL_WIDTH = 700;
const PANEL_HEIGHT = 230;
const PLOT = { left: 62, right: PANEL_WIDTH - 14, top: 10, bottom: PANEL_HEIGHT - 26 };
/** Grafana's classic palette, in its order. */
const COLORS = ['#73BF69', '#F2CC0C', '#8AB8FF', '#FF780A', '#F2495C', '#5794F2', '#B877D9', '#705DA0', '#37872D', '#FADE2A', '#C4162A', '#1F60C4', '#8F3BB8', '#96D98D', '#FFB357'];

export interface Picture {
  title: string;
  subtitle: string;
  panels: PanelData[];
  /** The migration annotation's answer: where it has points, the experiment was migrating. */
  annotation?: QueryData | undefined;
  from: number;
  to: number;
}

export function dashboardHtml(picture: Picture): string {
  const rows: string[] = [];
  let current = '';
  let cells: string[] = [];
  const flush = (): void => {
    if (cells.length) rows.push(`<div class="grid">${cells.join('')}</div>`);
    cells = [];
  };
  for (const panel of picture.panels) {
    if (panel.row !== current) {
      flush();
      current = panel.row;
      rows.push(`<h2>${escapeHtml(panel.row)}</h2>`);
    }
    cells.push(panelHtml(panel, picture));
  }
  flush();
  return `<!doctype html><html><head><meta charset="utf-8"><style>${STYLE}</style></head><body>
<header><h1>${escapeHtml(picture.title)}</h1><div class="sub">${escapeHtml(picture.subtitle)}</div></header>
${rows.join('\n')}
</body></html>`;
}

function panelHtml(data: PanelData, picture: Picture): string {
  const lines = data.queries.flatMap((query, q) =>
    query.series.map((series, s) => ({ series, label: legend(query.query.legend, series.metric), dashed: data.panel.dashed?.includes(refId(q)) ?? false, color: '', key: `${q}-${s}` })),
  );
  lines.forEach((line, index) => (line.color = COLORS[index % COLORS.length]!));
  const values = lines.flatMap((line) => points(line.series).map(([, v]) => v));
  const high = data.panel.max ?? Math.max(...values, 0);
  const { domain } = niceLinearDomain(0, high > 0 ? high : 1, 4);
  const y = new LinearScale(domain, [PLOT.bottom, PLOT.top]);
  const x = new LinearScale([picture.from, picture.to], [PLOT.left, PLOT.right]);
  const parts: string[] = [];
  for (const [from, to] of spans(picture.annotation)) {
    parts.push(`<rect class="migrating" x="${r(x.at(from))}" y="${PLOT.top}" width="${r(Math.max(x.at(to) - x.at(from), 2))}" height="${PLOT.bottom - PLOT.top}"/>`);
  }
  for (const tick of y.ticks()) {
    parts.push(`<line class="gridline" x1="${PLOT.left}" x2="${PLOT.right}" y1="${r(y.at(tick))}" y2="${r(y.at(tick))}"/>`);
    parts.push(`<text class="tick" x="${PLOT.left - 6}" y="${r(y.at(tick) + 4)}" text-anchor="end">${escapeHtml(formatValue(tick, data.panel.unit))}</text>`);
  }
  for (const tick of timeTicks(picture.from, picture.to).filter((t) => x.at(t) > PLOT.left + 24 && x.at(t) < PLOT.right - 24)) {
    parts.push(`<text class="tick" x="${r(x.at(tick))}" y="${PLOT.bottom + 16}" text-anchor="middle">${clock(tick)}</text>`);
  }
  for (const line of lines) {
    for (const segment of segments(points(line.series))) {
      const path = segment.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${r(x.at(t))},${r(y.at(v))}`).join('');
      parts.push(`<path d="${path}" stroke="${line.color}" class="${line.dashed ? 'line dashed' : 'line'}"/>`);
    }
  }
  const legendHtml = lines.map((line) => `<span><i style="background:${line.color}"${line.dashed ? ' class="dashed"' : ''}></i>${escapeHtml(line.label)}</span>`).join('');
  return `<section class="panel"><h3>${escapeHtml(data.panel.title)}</h3>
<svg viewBox="0 0 ${PANEL_WIDTH} ${PANEL_HEIGHT}" width="${PANEL_WIDTH}" height="${PANEL_HEIGHT}">${parts.join('')}</svg>
<div class="legend">${legendHtml || '<span>no series</span>'}</div></section>`;
}

function legend(format: string, metric: Record<string, string>): string {
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => metric[name] ?? '');
}

function refId(index: number): string {
  return String.fromCharCode(65 + index);
}

function points(series: RangeSeries): [number, number][] {
  return series.values.map(([t, v]): [number, number] => [t, Number(v)]);
}

/** Runs of finite points without a gap longer than two steps: Grafana breaks the line there. */
function segments(all: [number, number][]): [number, number][][] {
  const out: [number, number][][] = [];
  let current: [number, number][] = [];
  for (const point of all) {
    const previous = current.at(-1);
    if (!Number.isFinite(point[1]) || (previous && point[0] - previous[0] > 2.5)) {
      if (current.length) out.push(current);
      current = [];
    }
    if (Number.isFinite(point[1])) current.push(point);
  }
  if (current.length) out.push(current);
  return out;
}

function spans(annotation: QueryData | undefined): [number, number][] {
  const times = (annotation?.series ?? []).flatMap((series) => series.values.map(([t]) => t)).sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const t of times) {
    const last = out.at(-1);
    if (last && t - last[1] <= 1.5) last[1] = t;
    else out.push([t, t]);
  }
  return out;
}

function timeTicks(from: number, to: number): number[] {
  const step = [5, 10, 15, 30, 60, 120, 300].find((s) => (to - from) / s <= 8) ?? 600;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

function clock(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(11, 19);
}

export function formatValue(value: number, unit: string): string {
  const round = (v: number) => String(Number(v.toPrecision(3)));
  switch (unit) {
    case 's':
      return value !== 0 && Math.abs(value) < 1 ? `${round(value * 1000)} ms` : `${round(value)} s`;
    case 'percentunit':
      return `${round(value * 100)}%`;
    case 'reqps':
      return `${round(value)} req/s`;
    case 'ops':
      return `${round(value)} ops/s`;
    default:
      return round(value);
  }
}

function r(value: number): string {
  return String(Math.round(value * 10) / 10);
}

const STYLE = `
body { margin: 0; padding: 16px 20px 24px; background: #111217; color: #ccccdc; font: 13px/1.4 Inter, "Helvetica Neue", Arial, sans-serif; width: 1440px; box-sizing: border-box; }
header h1 { font-size: 18px; font-weight: 500; margin: 0; color: #d8d9da; }
header .sub { color: #8e8e8e; margin: 2px 0 6px; }
h2 { font-size: 14px; font-weight: 500; margin: 14px 0 6px; color: #d8d9da; }
.grid { display: grid; grid-template-columns: repeat(2, ${PANEL_WIDTH}px); gap: 8px; }
.panel { background: #181b1f; border: 1px solid #2c3235; border-radius: 2px; padding: 6px 8px 8px; }
.panel h3 { font-size: 13px; font-weight: 500; margin: 0 0 2px; color: #d8d9da; }
svg { display: block; }
line.gridline { stroke: #2c3235; stroke-width: 1; }
.tick { fill: #8e8e8e; font-size: 11px; }
.line { fill: none; stroke-width: 1.5; }
.dashed { stroke-dasharray: 8 6; stroke-width: 2; }
.migrating { fill: rgba(255, 120, 10, 0.16); }
.legend { display: flex; flex-wrap: wrap; gap: 2px 12px; font-size: 11px; color: #ccccdc; max-height: 46px; overflow: hidden; }
.legend i { display: inline-block; width: 14px; height: 3px; margin: 0 5px 3px 0; vertical-align: middle; }
.legend i.dashed { background-image: linear-gradient(90deg, transparent 50%, #181b1f 50%); background-size: 6px 3px; }
`;
