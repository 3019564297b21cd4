// How long a simulated user waits before its next action. Faban's model, which the study used:
// a negative-exponential delay with a mean, clamped at a maximum (5 x the mean unless said
// otherwise), counted either as a CYCLE time (from the start of one action to the start of the
// next: the wait is what is left after the response) or as a THINK time (from the end of one
// action to the start of the next).
import type { Random } from './random.ts';

export type ThinkDistribution = 'negexp' | 'fixed' | 'uniform';
/** `cycle`: the delay runs from the action's start; `think`: from its end. */
export type ThinkMode = 'cycle' | 'think';

export interface ThinkTime {
  distribution: ThinkDistribution;
  mode: ThinkMode;
  /** ms; for `uniform` the delay is drawn from [0, 2 x mean]. */
  meanMs: number;
  /** ms; a drawn delay above it is clamped to it (as Faban does, rather than redrawn). */
  maxMs: number;
}

/** Faban's default cap: 5 x the mean. */
export const DEFAULT_CAP_FACTOR = 5;

export function negativeExponential(meanMs: number, mode: ThinkMode = 'cycle', maxMs = DEFAULT_CAP_FACTOR * meanMs): ThinkTime {
  return { distribution: 'negexp', mode, meanMs, maxMs };
}

/** One delay in ms drawn from the distribution, before the cycle/think rule is applied. */
export function drawDelay(think: ThinkTime, random: Random): number {
  let delay: number;
  switch (think.distribution) {
    case 'fixed':
      delay = think.meanMs;
      break;
    case 'uniform':
      delay = random.next() * 2 * think.meanMs;
      break;
    case 'negexp': {
      // 1 - next() is in (0, 1], so the logarithm is finite.
      delay = -think.meanMs * Math.log(1 - random.next());
      break;
    }
  }
  return delay > think.maxMs ? think.maxMs : delay;
}

/**
 * When the next action starts (same clock as the arguments), given when this one started and
 * ended. With a cycle time that the response already overran, the next action starts at once.
 */
export function nextStart(think: ThinkTime, random: Random, startedAt: number, endedAt: number): number {
  const delay = drawDelay(think, random);
  if (think.mode === 'think') return endedAt + delay;
  const due = startedAt + delay;
  return due > endedAt ? due : endedAt;
}

/** The mean of the clamped negative exponential: E[min(X, max)] = mean x (1 - e^(-max/mean)). */
export function clampedNegexpMean(meanMs: number, maxMs: number): number {
  return meanMs * (1 - Math.exp(-maxMs / meanMs));
}
