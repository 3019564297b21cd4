import { describe, expect, it } from 'vitest';
import { chartDataScript } from './hover-script.ts';
import { escapeHtml, html, raw } from './html.ts';
import { linePath } from './chart-frame.ts';
import { formatMs, formatMsTick, formatOffset, formatSeconds } from './format.ts';
import { LinearScale, LogScale, niceLinearDomain } from './scale.ts';

describe('Given text with every character HTML gives a meaning to', () => {
  const text = `<a href="x" title='y'>&amp;</a>`;

  it('Then escapeHtml makes it inert in content and in quoted attributes', () => {
    expect(escapeHtml(text)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('Then the html tag escapes what it interpolates, but not markup it made itself', () => {
    const inner = html`<b>${text}</b>`;
    expect(html`<p title="${text}">${inner}${raw('<br>')}</p>`.text).toBe(
      `<p title="${escapeHtml(text)}"><b>${escapeHtml(text)}</b><br></p>`,
    );
  });

  it('Then arrays are joined, and false, null and undefined render nothing, while 0 does', () => {
    expect(html`${['<', html`<i>`]}${false}${null}${undefined}${0}`.text).toBe('&lt;<i>0');
  });
});

describe('Given chart data naming an action "</script><script>alert(1)</script>"', () => {
  it('Then its data block cannot close the script element, and still parses to the same values', () => {
    const name = '</script><script>alert(1)</script>';
    const block = chartDataScript('d', { t0: 0.5, b: 1, d: 10, x0: 64, x1: 700, clock: 1_700_000_000_000, spans: [], lines: [{ name, unit: 'ms', color: '#000', values: [1234.5678, null] }] });
    expect(block.match(/<\/script>/g)).toHaveLength(1);
    const json = JSON.parse(block.replace(/^<script[^>]*>/, '').replace(/<\/script>$/, '')) as { clock: number; lines: { name: string; values: unknown[] }[] };
    expect(json.lines[0]!.name).toBe(name);
    expect(json.lines[0]!.values).toEqual([1230, null]); // HdrHistogram's 3 significant digits
    expect(json.clock).toBe(1_700_000_000_000);
  });
});

describe('Given response times and durations', () => {
  it('Then they read in ms below a second and in s above', () => {
    expect([0.5, 4.25, 850, 1840, 12_345, 125_000].map(formatMs)).toEqual(['0.5 ms', '4.3 ms', '850 ms', '1.84 s', '12.3 s', '125 s']);
    expect([null, undefined, Number.NaN].map(formatSeconds)).toEqual(['–', '–', '–']);
    expect([250, 1000, 1500, 0.5].map(formatMsTick)).toEqual(['250 ms', '1 s', '1.5 s', '0.5 ms']);
    expect([42, 307, 3723, -5].map(formatOffset)).toEqual(['42 s', '5:07', '1:02:03', '−5 s']);
  });
});

describe('Given axes', () => {
  it('Then a linear axis ends on a round number and ticks at 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceLinearDomain(0, 1840)).toEqual({ domain: [0, 2000], step: 500 });
    const scale = new LinearScale([0, 2000], [250, 50], 500);
    expect(scale.ticks()).toEqual([0, 500, 1000, 1500, 2000]);
    expect(scale.at(1000)).toBe(150);
    expect(scale.at(5000)).toBe(50); // clamped
  });

  it('Then a logarithmic axis spans whole decades, 1-2-5 inside when there are few', () => {
    const scale = new LogScale(40, 3000, [200, 0]);
    expect(scale.domain).toEqual([10, 10_000]);
    expect(scale.ticks()).toEqual([10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000]);
    expect(scale.at(100)).toBeCloseTo(133.3, 1);
  });
});

describe('Given points of a line with a gap', () => {
  it('Then the path moves by differences of rounded positions and starts again after the gap', () => {
    expect(linePath([10, 11.04, 12.08, 13, 14], [100, 90.55, 95, null, 50])).toBe('M10 100l1-9.4 1.1 4.4M14 50');
  });

  it('Then the differences add up to the rounded positions, however long the line', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => 64 + i * 0.6363);
    const ys = xs.map((x) => 150 + 80 * Math.sin(x));
    const path = linePath(xs, ys);
    const numbers = path.slice(1).replace('l', ' ').match(/-?\d*\.?\d+/g)!.map(Number);
    let [x, y] = [numbers[0]!, numbers[1]!];
    for (let i = 2; i < numbers.length; i += 2) [x, y] = [x + numbers[i]!, y + numbers[i + 1]!];
    expect(x).toBeCloseTo(Math.round(xs.at(-1)! * 10) / 10, 6);
    expect(y).toBeCloseTo(Math.round(ys.at(-1)! * 10) / 10, 6);
  });
});
