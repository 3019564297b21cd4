// The only script in a report: hovering a chart shows the values at that instant. Charts are
// complete without it (drawn server-side); each carries its numbers as a JSON block (see
// chartData), which this reads. It builds the tooltip with textContent, never innerHTML, so no
// name from a resource can become markup.

/** What the hover script needs to know about one chart. */
export interface ChartData {
  /** Middle of the first bucket and the bucket length, seconds from run start. */
  t0: number;
  b: number;
  /** The axis: seconds at the right edge, and the plot's left and right edges in SVG units. */
  d: number;
  x0: number;
  x1: number;
  /** The run's start, epoch ms, for the clock time. */
  clock: number;
  /** Per bucket. */
  lines: { name: string; unit: 'ms' | '/s'; color: string; values: (number | null)[] }[];
  /** Per window end (seconds from run start). */
  windows?: { ends: number[]; lines: { name: string; color: string; values: number[] }[] };
  /** Migration spans: from, to, kind, index. */
  spans: [number, number, string, number][];
}

/**
 * The data block of a chart; `<` is escaped so no value can close the script element. Values keep
 * three significant digits, HdrHistogram's own precision.
 */
export function chartDataScript(id: string, data: ChartData): string {
  const compact: ChartData = {
    ...data,
    lines: data.lines.map((line) => ({ ...line, values: line.values.map((v) => (v === null ? null : significant(v))) })),
    ...(data.windows
      ? { windows: { ends: data.windows.ends, lines: data.windows.lines.map((line) => ({ ...line, values: line.values.map(significant) })) } }
      : {}),
  };
  const json = JSON.stringify(compact, (_key, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 100) / 100 : value));
  return `<script type="application/json" id="${id}">${json.replace(/</g, '\\u003c')}</script>`;
}

function significant(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(3));
}

export const HOVER_SCRIPT = `
(() => {
  const tip = document.createElement('div');
  tip.id = 'tooltip';
  tip.hidden = true;
  document.body.append(tip);
  const time = (s) => {
    const w = Math.round(Math.max(0, s));
    return w < 60 ? w + ' s' : Math.floor(w / 60) + ':' + String(w % 60).padStart(2, '0');
  };
  const value = (v, unit) => {
    if (v === null || v === undefined) return '–';
    if (unit === '/s') return (Math.round(v * 10) / 10) + '/s';
    return v >= 1000 ? (v / 1000).toFixed(v >= 10000 ? 1 : 2) + ' s' : (v >= 10 ? Math.round(v) : v.toFixed(1)) + ' ms';
  };
  const phase = { preCopy: 'pre-copy', stopAndCopy: 'stop-and-copy (downtime)', migration: 'live migration' };
  const row = (name, text, color) => {
    const r = document.createElement('div');
    r.className = 'row';
    const k = document.createElement('span');
    k.className = 'key';
    if (color) k.style.setProperty('--c', color);
    k.textContent = name;
    const v = document.createElement('span');
    v.textContent = text;
    r.append(k, v);
    return r;
  };
  for (const figure of document.querySelectorAll('figure[data-chart]')) {
    const block = document.getElementById(figure.dataset.chart);
    const svg = figure.querySelector('svg');
    const hit = svg && svg.querySelector('.hit');
    const guide = svg && svg.querySelector('.guide');
    if (!block || !hit || !guide) continue;
    const data = JSON.parse(block.textContent);
    const count = data.lines.length ? data.lines[0].values.length : 0;
    hit.addEventListener('pointermove', (event) => {
      const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(svg.getScreenCTM().inverse());
      const t = ((point.x - data.x0) / (data.x1 - data.x0)) * data.d;
      const i = Math.min(Math.max(Math.round((t - data.t0) / data.b), 0), Math.max(count - 1, 0));
      const at = data.t0 + i * data.b;
      const x = data.x0 + (at / data.d) * (data.x1 - data.x0);
      guide.setAttribute('x1', x);
      guide.setAttribute('x2', x);
      guide.setAttribute('visibility', 'visible');
      const rows = [];
      const head = document.createElement('div');
      head.className = 't';
      const clock = new Date(data.clock + at * 1000).toISOString().slice(11, 19);
      head.textContent = time(at) + (data.b > 1 ? ' (' + data.b + ' s merged)' : '') + ' · ' + clock + ' UTC';
      rows.push(head);
      for (const line of data.lines) rows.push(row(line.name, value(line.values[i], line.unit), line.color));
      if (data.windows) {
        let w = -1;
        for (let k = 0; k < data.windows.ends.length && data.windows.ends[k] <= at + data.b / 2; k++) w = k;
        for (const line of data.windows.lines) rows.push(row(line.name, w < 0 ? 'no window yet' : value(line.values[w], 'ms'), line.color));
      }
      for (const [from, to, kind, index] of data.spans) {
        if (at >= from && at < to) {
          const p = document.createElement('div');
          p.className = 'phase';
          p.textContent = 'Migration ' + index + ': ' + phase[kind];
          rows.push(p);
        }
      }
      tip.replaceChildren(...rows);
      tip.hidden = false;
      const left = event.pageX + 16 + tip.offsetWidth > window.scrollX + document.documentElement.clientWidth ? event.pageX - 16 - tip.offsetWidth : event.pageX + 16;
      tip.style.left = left + 'px';
      tip.style.top = event.pageY + 14 + 'px';
    });
    hit.addEventListener('pointerleave', () => {
      tip.hidden = true;
      guide.setAttribute('visibility', 'hidden');
    });
  }
})();
`;
