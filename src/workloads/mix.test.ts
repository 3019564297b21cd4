import { describe, expect, it } from 'vitest';
import { ActionMix } from './mix.ts';
import { Random } from './random.ts';
import { OLIO_MATRIX_PERCENT } from './olio.ts';

const olioRows = OLIO_MATRIX_PERCENT.map((row) => row.map((percent) => percent / 100));

/** Counts of each transition over a walk of `steps` from the mix's start. */
function walk(mix: ActionMix, steps: number, seed: number): { visits: number[]; transitions: number[][] } {
  const random = new Random(seed);
  const visits = new Array<number>(mix.size).fill(0);
  const transitions = Array.from({ length: mix.size }, () => new Array<number>(mix.size).fill(0));
  let at = mix.start;
  for (let i = 0; i < steps; i += 1) {
    visits[at] = (visits[at] ?? 0) + 1;
    const next = mix.next(at, random);
    (transitions[at] as number[])[next] = ((transitions[at] as number[])[next] ?? 0) + 1;
    at = next;
  }
  return { visits, transitions };
}

describe('Given the Olio transition matrix', () => {
  const mix = new ActionMix(olioRows);

  describe('When a user walks it for 400 000 actions', () => {
    const { visits, transitions } = walk(mix, 400_000, 42);

    it('Then every transition happens with its row probability (within 4 standard errors)', () => {
      transitions.forEach((row, from) => {
        const total = row.reduce((a, b) => a + b, 0);
        row.forEach((count, to) => {
          const p = mix.probability(from, to);
          const share = count / total;
          const standardError = Math.sqrt((p * (1 - p)) / total);
          expect(Math.abs(share - p), `${from}->${to}`).toBeLessThanOrEqual(4 * standardError + 1e-12);
          if (p === 0) expect(count, `${from}->${to} must never happen`).toBe(0);
        });
      });
    });

    it('Then the share of each action converges to the stationary distribution', () => {
      const stationary = mix.stationary();
      visits.forEach((count, action) => expect(count / 400_000).toBeCloseTo(stationary[action] ?? -1, 2));
    });
  });

  it('Then its stationary distribution is a fixed point of the matrix and sums to 1', () => {
    const pi = mix.stationary();
    expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    for (let to = 0; to < mix.size; to += 1) {
      const inflow = pi.reduce((sum, mass, from) => sum + mass * mix.probability(from, to), 0);
      expect(inflow).toBeCloseTo(pi[to] ?? -1, 9);
    }
  });

  it('Then the reads are about 90 % of the actions (the "90/10 read/write" mix)', () => {
    const pi = mix.stationary();
    const writes = (pi[1] ?? 0) + (pi[5] ?? 0) + (pi[6] ?? 0);
    expect(writes).toBeGreaterThan(0.1);
    expect(writes).toBeLessThan(0.15);
  });
});

describe('Given a periodic two-action chain (A -> B -> A)', () => {
  const mix = new ActionMix([
    [0, 1],
    [1, 0],
  ]);
  it('Then the walk alternates and the stationary distribution is one half each', () => {
    const random = new Random(1);
    expect(mix.next(0, random)).toBe(1);
    expect(mix.next(1, random)).toBe(0);
    const [a, b] = mix.stationary();
    expect(a).toBeCloseTo(0.5, 9);
    expect(b).toBeCloseTo(0.5, 9);
  });
});

describe('Given a flat mix of 70/30', () => {
  const mix = ActionMix.flat([0.7, 0.3]);
  it('Then every row is the same and the walk follows the weights', () => {
    expect(mix.probability(0, 0)).toBeCloseTo(0.7, 12);
    expect(mix.probability(1, 0)).toBeCloseTo(0.7, 12);
    const { visits } = walk(mix, 100_000, 7);
    expect((visits[0] ?? 0) / 100_000).toBeCloseTo(0.7, 2);
  });
});

describe('Given a row that sums to 0.9999999 (rounding)', () => {
  const mix = new ActionMix([
    [0.3333333, 0.3333333, 0.3333333],
    [0, 0, 1],
    [1, 0, 0],
  ]);
  it('Then a draw never falls off the row', () => {
    const random = { next: () => 0.99999999 } as unknown as Random;
    expect(mix.next(0, random)).toBe(2);
  });
});
