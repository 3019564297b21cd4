// Colours a reader with any colour vision can tell apart: the Okabe-Ito palette. A percentile
// keeps its colour everywhere (per second and windowed, in every chart and legend), so the eye
// follows p99 across a page; width tells the per-second line from the windowed one. The median
// is grey: the usual case, behind the tails the SLA is about.

const BY_PERCENTILE: Readonly<Record<string, string>> = {
  '50': '#8a939e',
  '90': '#0072B2',
  '95': '#009E73',
  '99': '#D55E00',
};

const OTHERS = ['#CC79A7', '#E69F00', '#56B4E9', '#000000'];

export function percentileColor(percentile: number): string {
  const known = BY_PERCENTILE[String(percentile)];
  if (known) return known;
  // Other percentiles get the remaining colours in a fixed order of their value.
  return OTHERS[Math.floor(percentile * 10) % OTHERS.length]!;
}

/** One colour per action, the Olio actions always in the same one. */
const ACTION_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#999999'];

export function actionColor(index: number): string {
  return ACTION_COLORS[index % ACTION_COLORS.length]!;
}
