// Incremental == from scratch: the engine's running windows (add a second, evict the one that
// leaves) must give exactly what sorting every window's raw samples again gives.
import { describe, expect, it } from 'vitest';
import { build, type JsHistogram } from 'hdr-histogram-js';
import { newHistogram, type SecondSnapshot } from '../recording/index.ts';
import { SlidingWindowSla, type WindowEvaluation, type WindowAction } from './sliding-window-sla.ts';

const S0 = 1_700_000_000;
const T0 = S0 * 1000;
const ACTIONS = ['HomePage', 'Login', 'AddEvent'];
const library = build() as JsHistogram;

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  window: number;
  step: number;
  span: number;
  percentiles: number[];
  thresholds: Record<string, number>;
  /** Raw samples (µs) per second offset and action. */
  samples: Map<number, Map<string, number[]>>;
}

function scenario(seed: number): Scenario {
  const random = seeded(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const samples = new Map<number, Map<string, number[]>>();
  const span = int(0, 40);
  for (let offset = 0; offset < span; offset++) {
    if (random() < 0.2) continue; // seconds with nothing at all
    const actions = new Map<string, number[]>();
    for (const action of ACTIONS) {
      if (random() < 0.3) continue;
      // Mostly fast with a heavy tail: 100 µs .. 100 s.
      actions.set(action, Array.from({ length: int(1, 25) }, () => Math.floor(100 * 10 ** (random() * random() * 6))));
    }
    samples.set(offset, actions);
  }
  return {
    window: int(1, 12) * 1000,
    step: int(1, 4) * 1000,
    span,
    percentiles: [[90, 99], [50, 90, 99.9], [99]][int(0, 2)]!,
    thresholds: { HomePage: int(1, 3000), Login: int(1, 3000) }, // AddEvent unjudged
    samples,
  };
}

/** Each second as one or two snapshots (two workers' shares), ascending. */
function snapshots(s: Scenario, random: () => number): SecondSnapshot[] {
  const out: SecondSnapshot[] = [];
  for (const [offset, actions] of [...s.samples].sort(([a], [b]) => a - b)) {
    const shares: SecondSnapshot[] = [{ second: S0 + offset, actions: {} }, { second: S0 + offset, actions: {} }];
    for (const [action, values] of actions) {
      for (const value of values) {
        const share = shares[random() < 0.5 ? 0 : 1]!;
        const part = (share.actions[action] ??= { histogram: newHistogram(), ok: 0, errors: {} });
        part.histogram.recordValue(value);
        part.ok += 1;
      }
    }
    out.push(...shares);
  }
  return out;
}

/** Every window judged from its raw samples, sorted, nearest rank. */
function fromScratch(s: Scenario): WindowEvaluation[] {
  const evaluations: WindowEvaluation[] = [];
  for (let end = T0 + s.window; end <= T0 + s.span * 1000; end += s.step) {
    const evaluation: WindowEvaluation = { end, actions: {} };
    for (const action of ACTIONS) {
      const values: number[] = [];
      for (let offset = (end - s.window - T0) / 1000; offset < (end - T0) / 1000; offset++) {
        values.push(...(s.samples.get(offset)?.get(action) ?? []));
      }
      if (values.length === 0) continue;
      values.sort((a, b) => a - b);
      const judged: WindowAction = { samples: values.length, failures: 0, percentiles: {}, violated: {} };
      for (const p of s.percentiles) {
        const rank = Math.max(1, Math.ceil((p * values.length) / 100 - 1e-9));
        const exact = values[rank - 1]!;
        judged.percentiles[String(p)] = library.highestEquivalentValue(exact) / 1000;
        const threshold = s.thresholds[action];
        if (threshold !== undefined) judged.violated[String(p)] = library.lowestEquivalentValue(exact) > threshold * 1000;
      }
      evaluation.actions[action] = judged;
    }
    evaluations.push(evaluation);
  }
  return evaluations;
}

describe('Given 120 random runs (window, step, span, percentiles, thresholds and samples all random)', () => {
  it('When judged incrementally, Then every window equals the one recomputed from the raw samples', () => {
    for (let seed = 1; seed <= 120; seed++) {
      const s = scenario(seed);
      const sla = new SlidingWindowSla({
        window: s.window,
        step: s.step,
        percentiles: s.percentiles,
        thresholds: s.thresholds,
        start: T0,
        end: T0 + s.span * 1000,
      });
      const incremental = [...snapshots(s, seeded(seed * 31)).flatMap((snapshot) => sla.add(snapshot)), ...sla.finish()];
      const expected = fromScratch(s);
      expect(incremental, `seed ${seed}`).toEqual(expected);

      // The verdicts are those windows summed up.
      const result = sla.result();
      expect(result.windows, `seed ${seed}`).toBe(expected.length);
      for (const action of ACTIONS) {
        const held = expected.filter((w) => w.actions[action]);
        if (held.length === 0) continue;
        for (const p of s.percentiles.map(String)) {
          const verdict = result.actions[action]?.percentiles[p];
          const values = held.map((w) => w.actions[action]!.percentiles[p]!);
          expect(verdict?.maxMs, `seed ${seed} ${action} p${p}`).toBe(Math.max(...values));
          const violating = held.filter((w) => w.actions[action]!.violated[p]);
          expect(verdict?.violations, `seed ${seed} ${action} p${p}`).toBe(violating.length);
          expect(verdict?.firstViolationAt ?? null).toBe(violating[0]?.end ?? null);
        }
        expect(result.actions[action]?.windowsWithSamples).toBe(held.length);
      }
    }
  });
});
