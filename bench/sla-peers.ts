// The peers of the SLA engine's figures (bench/sla-engine.ts measures the engine itself):
// - for recording, the cheapest thing one could do with a sample, a push onto a plain array per
//   action (keeping every sample, which no run of hours could afford, and sorting them later);
// - for the window step, recomputing the window from scratch: adding up the window's per-second
//   histograms of every action into a fresh one and reading its percentiles, which is what a
//   non-incremental engine pays at every step.
import { newHistogram, newWideHistogram, type Histogram } from '../src/recording/index.ts';

const ACTIONS = 7;

function durationsUs(n: number): Float64Array {
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = Math.floor(-Math.log(1 - Math.random()) * 50_000 * (Math.random() < 0.01 ? 40 : 1));
  return values;
}

/** Samples pushed per second onto a plain array per action (best of `rounds`). */
export function measureArrayPush(samples = 10_000_000, rounds = 3): number {
  const values = durationsUs(1 << 16);
  let top = 0;
  for (let round = 0; round < rounds; round++) {
    const arrays: number[][] = Array.from({ length: ACTIONS }, () => []);
    const started = performance.now();
    for (let i = 0; i < samples; i++) arrays[i % ACTIONS]!.push(values[i & 0xffff]!);
    const rate = samples / ((performance.now() - started) / 1000);
    if (arrays[0]!.length === 0) throw new Error('nothing recorded');
    top = Math.max(top, rate);
  }
  return top;
}

/**
 * Mean cost, in µs, of judging one window by recomputing it: for each of 7 actions, the window's
 * `windowSeconds` per-second histograms (`samplesPerActionSecond` samples each) added into a
 * fresh histogram, then its p90 and p99.
 */
export function measureWindowFromScratch(samplesPerActionSecond: number, windowSeconds = 300, steps = 20): number {
  const values = durationsUs(samplesPerActionSecond);
  const seconds: Histogram[][] = [];
  for (let s = 0; s < windowSeconds + steps; s++) {
    const perAction: Histogram[] = [];
    for (let a = 0; a < ACTIONS; a++) {
      const histogram = newHistogram();
      for (let i = 0; i < samplesPerActionSecond; i++) histogram.recordValue(values[(i + s * 31 + a * 7) % samplesPerActionSecond]!);
      perAction.push(histogram);
    }
    seconds.push(perAction);
  }
  let check = 0;
  const started = performance.now();
  for (let step = 0; step < steps; step++) {
    for (let a = 0; a < ACTIONS; a++) {
      const window = newWideHistogram();
      for (let s = step; s < step + windowSeconds; s++) window.add(seconds[s]![a]!);
      check += window.getValueAtPercentile(90) + window.getValueAtPercentile(99);
    }
  }
  const elapsedUs = (performance.now() - started) * 1000;
  if (!(check > 0)) throw new Error('no percentiles');
  return elapsedUs / steps;
}
