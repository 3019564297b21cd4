// Reading a Prometheus text page (kube-apiserver's or the controller's /metrics) for the
// benchmarks: samples by name and labels, counter deltas, and a histogram's quantile as
// Prometheus's histogram_quantile computes it (linear inside the bucket that holds the rank).

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(page: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of page.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of `name`'s samples whose labels include `where`. */
export function sumOf(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((sample) => sample.name === name && Object.entries(where).every(([key, value]) => sample.labels[key] === value)).reduce((sum, sample) => sum + sample.value, 0);
}

/** `name`'s samples summed by the value of `by` (e.g. apiserver_request_total by verb), after minus before. */
export function deltaBy(before: Sample[], after: Sample[], name: string, by: string[], where: Record<string, string> = {}): Map<string, number> {
  const totals = (samples: Sample[]): Map<string, number> => {
    const map = new Map<string, number>();
    for (const sample of samples) {
      if (sample.name !== name || !Object.entries(where).every(([key, value]) => sample.labels[key] === value)) continue;
      const key = by.map((label) => sample.labels[label] ?? '').join(' ');
      map.set(key, (map.get(key) ?? 0) + sample.value);
    }
    return map;
  };
  const start = totals(before);
  const delta = new Map<string, number>();
  for (const [key, value] of totals(after)) if (value - (start.get(key) ?? 0) > 0) delta.set(key, value - (start.get(key) ?? 0));
  return delta;
}

/**
 * The q-quantile of histogram `name` (its _bucket series whose labels include `where`) over the
 * observations made between `before` and `after`, as histogram_quantile would: the rank's
 * bucket found, linear between its bounds. undefined when nothing was observed.
 */
export function histogramQuantile(q: number, before: Sample[], after: Sample[], name: string, where: Record<string, string> = {}): number | undefined {
  const buckets = (samples: Sample[]): Map<number, number> => {
    const map = new Map<number, number>();
    for (const sample of samples) {
      if (sample.name !== `${name}_bucket` || !Object.entries(where).every(([key, value]) => sample.labels[key] === value)) continue;
      const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
      map.set(le, (map.get(le) ?? 0) + sample.value);
    }
    return map;
  };
  const start = buckets(before);
  const cumulative = [...buckets(after)].map(([le, count]) => ({ le, count: count - (start.get(le) ?? 0) })).sort((a, b) => a.le - b.le);
  const total = cumulative.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const { le, count } of cumulative) {
    if (count >= rank) {
      if (le === Infinity) return lower; // beyond the last finite bound: Prometheus answers that bound
      return lower + ((le - lower) * (rank - below)) / Math.max(count - below, 1e-12);
    }
    lower = le;
    below = count;
  }
  return lower;
}
