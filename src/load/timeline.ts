// A run's phases, as Faban has them: ramp-up (users join, spread over it), steady state (the only
// part that counts), ramp-down (users go on, so the end of steady state sees full load; nothing
// of it counts). An action belongs to the phase in which it STARTED.
//
// Steady state starts on a whole epoch second and lasts whole seconds, so that the per-second
// histograms (keyed by epoch second) split exactly at its edges: the run waits up to a second
// before it begins, and a steady state of 2.5 s becomes 3 s.

export type Phase = 'rampUp' | 'steady' | 'rampDown';

export const PHASES: readonly Phase[] = ['rampUp', 'steady', 'rampDown'];

export interface RunPlan {
  rampUpMs: number;
  steadyMs: number;
  rampDownMs: number;
}

export class Timeline {
  /** Epoch ms. */
  readonly start: number;
  readonly steadyStart: number;
  readonly steadyEnd: number;
  readonly end: number;

  constructor(start: number, plan: RunPlan) {
    this.start = start;
    this.steadyStart = start + plan.rampUpMs;
    this.steadyEnd = this.steadyStart + plan.steadyMs;
    this.end = this.steadyEnd + plan.rampDownMs;
  }

  /** The timeline of a run asked for at `at` (epoch ms), its steady state aligned on a second. */
  static aligned(at: number, plan: RunPlan): Timeline {
    const steadyStart = Math.ceil((at + plan.rampUpMs) / 1000) * 1000;
    const steadyMs = Math.ceil(plan.steadyMs / 1000) * 1000;
    return new Timeline(steadyStart - plan.rampUpMs, { ...plan, steadyMs });
  }

  phaseAt(epochMs: number): Phase {
    if (epochMs < this.steadyStart) return 'rampUp';
    return epochMs < this.steadyEnd ? 'steady' : 'rampDown';
  }

  /** Steady state in epoch seconds, [fromSecond, toSecond). */
  get steadySeconds(): { fromSecond: number; toSecond: number } {
    return { fromSecond: this.steadyStart / 1000, toSecond: this.steadyEnd / 1000 };
  }

  get durationMs(): number {
    return this.end - this.start;
  }
}
