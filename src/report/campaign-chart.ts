// A campaign at a glance: per action, its highest windowed percentile at each load level as a
// share of its threshold, so every action is judged against the same line (100 % = the SLA).
// The x axis is the levels in the order they ran, named by their swept values. The recommended level is marked; a level above the line is one the SLA did not survive.
import { formatSeconds, percentileName } from './format.ts';
import { escapeHtml } from './html.ts';
import { n } from './chart-frame.ts';
import { actionColor } from './palette.ts';
import { LinearScale, niceLinearDomain } from './scale.ts';

export interface CampaignChart {
  /** The x axis: each level's swept values, short ("200", "2m / 500"). */
  labels: readonly string[];
  /** Each level for a person ("200 users", "spacing 2m, 500 users"). */
  titles: readonly string[];
  axisTitle: string;
  /** Per action, per level: the judged percentile's highest window (mean over runs), seconds. */
  actions: readonly { action: string; thresholdSeconds: number; seconds: readonly (number | undefined)[] }[];
  percentile: number;
  /** Indexes of the recommended levels (one per row of a grid). */
  recommended: readonly number[];
}

// As wide as the section, so its text matches the other charts'.
const WIDTH = 1400;
const HEIGHT = 340;

export function campaignSvg(chart: CampaignChart): string {
  const left = 64;
  const right = WIDTH - 24;
  const top = 20;
  const bottom = HEIGHT - 44;
  const slot = (right - left) / Math.max(chart.labels.length, 1);
  const x = (index: number) => left + (index + 0.5) * slot;
  const ratios = chart.actions.map((a) => a.seconds.map((s) => (s === undefined || a.thresholdSeconds <= 0 ? undefined : s / a.thresholdSeconds)));
  const highest = Math.max(1.2, ...ratios.flat().filter((r): r is number => r !== undefined));
  const { domain, step } = niceLinearDomain(0, highest * 1.05, 5);
  const y = new LinearScale(domain, [bottom, top], step);
  const parts: string[] = [
    `<svg class="chart campaign" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(`Highest windowed ${percentileName(chart.percentile)} per action as a share of its threshold, per load level`)}">`,
    `<rect class="plot" x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/>`,
  ];
  for (const recommended of chart.recommended) {
    parts.push(`<rect class="recommended-band" x="${n(x(recommended) - slot / 2)}" y="${top}" width="${n(slot)}" height="${bottom - top}"><title>${escapeHtml(`recommended: ${chart.titles[recommended]}`)}</title></rect>`);
  }
  for (const tick of y.ticks()) {
    const at = y.at(tick);
    parts.push(`<line class="grid" x1="${left}" x2="${right}" y1="${n(at)}" y2="${n(at)}"/><text class="y-tick" x="${left - 6}" y="${n(at + 4)}">${Math.round(tick * 100)} %</text>`);
  }
  const sla = y.at(1);
  parts.push(`<line class="threshold" x1="${left}" x2="${right}" y1="${n(sla)}" y2="${n(sla)}"/><text class="threshold-label start" x="${left + 4}" y="${n(sla - 5)}">SLA threshold</text>`);
  chart.labels.forEach((label, index) => {
    parts.push(`<text class="x-tick${chart.recommended.includes(index) ? ' recommended-tick' : ''}" x="${n(x(index))}" y="${bottom + 16}">${escapeHtml(label)}</text>`);
  });
  parts.push(`<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`);
  parts.push(`<text class="axis-title" x="${n((left + right) / 2)}" y="${bottom + 34}">${escapeHtml(chart.axisTitle)}</text>`);
  parts.push(`<text class="axis-title" transform="translate(14 ${n((top + bottom) / 2)}) rotate(-90)">max ${percentileName(chart.percentile)} / threshold</text>`);
  chart.actions.forEach((action, a) => {
    const color = actionColor(a);
    let path = '';
    let drawing = false;
    ratios[a]!.forEach((ratio, index) => {
      if (ratio === undefined) {
        drawing = false;
        return;
      }
      path += `${drawing ? 'L' : 'M'}${n(x(index))} ${n(y.at(ratio))}`;
      drawing = true;
    });
    parts.push(`<g class="level-line" data-action="${escapeHtml(action.action)}"><path class="halo" d="${path}"/><path class="windowed" stroke="${color}" d="${path}"/>`);
    ratios[a]!.forEach((ratio, index) => {
      if (ratio === undefined) return;
      const title = `${action.action} at ${chart.titles[index]}: ${formatSeconds(action.seconds[index])} (${Math.round(ratio * 100)} % of ${formatSeconds(action.thresholdSeconds)})`;
      parts.push(`<circle class="level-point${ratio > 1 ? ' over' : ''}" cx="${n(x(index))}" cy="${n(y.at(ratio))}" r="4" fill="${color}"><title>${escapeHtml(title)}</title></circle>`);
    });
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('');
}
