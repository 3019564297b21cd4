// Axes: a domain of values mapped onto a span of pixels, with ticks at round numbers (1, 2, 5 x
// a power of ten on a linear axis; 1, 2, 5 per decade on a logarithmic one).

export interface Scale {
  readonly domain: readonly [number, number];
  /** The pixel for a value; values outside the domain are clamped to its edges. */
  at(value: number): number;
  ticks(): number[];
}

/** Ticks a linear axis from 0 (or `low`) to at least `high`, about `count` of them. */
export function niceLinearDomain(low: number, high: number, count = 5): { domain: [number, number]; step: number } {
  const span = high > low ? high - low : Math.abs(high) || 1;
  const step = niceStep(span / count);
  return { domain: [Math.floor(low / step) * step, Math.ceil(high / step) * step || step], step };
}

export function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

export class LinearScale implements Scale {
  readonly domain: readonly [number, number];
  readonly #range: readonly [number, number];
  readonly #step: number;

  constructor(domain: readonly [number, number], range: readonly [number, number], step?: number) {
    this.domain = domain;
    this.#range = range;
    this.#step = step ?? niceStep((domain[1] - domain[0]) / 5 || 1);
  }

  at(value: number): number {
    const [d0, d1] = this.domain;
    const [r0, r1] = this.#range;
    const clamped = Math.min(Math.max(value, Math.min(d0, d1)), Math.max(d0, d1));
    return d1 === d0 ? r0 : r0 + ((clamped - d0) / (d1 - d0)) * (r1 - r0);
  }

  ticks(): number[] {
    const [d0, d1] = this.domain;
    const ticks: number[] = [];
    const first = Math.ceil(d0 / this.#step - 1e-9);
    for (let index = first; index * this.#step <= d1 + this.#step * 1e-9; index++) ticks.push(round(index * this.#step));
    return ticks;
  }
}

export class LogScale implements Scale {
  readonly domain: readonly [number, number];
  readonly #range: readonly [number, number];

  /** The domain is widened to whole decades so every decade line is a tick. */
  constructor(low: number, high: number, range: readonly [number, number]) {
    const floor = 10 ** Math.floor(Math.log10(Math.max(low, 1e-3)));
    const ceiling = 10 ** Math.ceil(Math.log10(Math.max(high, floor * 10)));
    this.domain = [floor, ceiling];
    this.#range = range;
  }

  at(value: number): number {
    const [d0, d1] = this.domain;
    const [r0, r1] = this.#range;
    const clamped = Math.min(Math.max(value, d0), d1);
    return r0 + ((Math.log10(clamped) - Math.log10(d0)) / (Math.log10(d1) - Math.log10(d0))) * (r1 - r0);
  }

  ticks(): number[] {
    const [d0, d1] = this.domain;
    const decades = Math.round(Math.log10(d1 / d0));
    // Few decades leave room for 2 and 5 between the powers of ten; many would crowd the axis.
    const multiples = decades <= 3 ? [1, 2, 5] : [1];
    const ticks: number[] = [];
    for (let power = Math.log10(d0); power <= Math.log10(d1) + 1e-9; power++) {
      for (const multiple of multiples) {
        const tick = round(multiple * 10 ** power);
        if (tick <= d1 * (1 + 1e-9)) ticks.push(tick);
      }
    }
    return ticks;
  }
}

/** Cancels the float noise of step arithmetic (0.30000000000000004). */
function round(value: number): number {
  return Number(value.toPrecision(12));
}
