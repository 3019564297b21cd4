import { describe, expect, it } from 'vitest';
import { Timeline } from './timeline.ts';

describe('Given a run asked for at 12.3 s past a whole second, with 2.5 s ramp-up, 2.2 s steady, 1 s ramp-down', () => {
  const asked = 1_000_012_300;
  const timeline = Timeline.aligned(asked, { rampUpMs: 2500, steadyMs: 2200, rampDownMs: 1000 });

  it('Then steady state starts on the next whole second after ramp-up and lasts whole seconds', () => {
    expect(timeline.steadyStart % 1000).toBe(0);
    expect(timeline.steadyStart).toBe(1_000_015_000);
    expect(timeline.start).toBe(1_000_012_500);
    expect(timeline.start).toBeGreaterThanOrEqual(asked);
    expect(timeline.start - asked).toBeLessThan(1000);
    expect(timeline.steadyEnd - timeline.steadyStart).toBe(3000);
    expect(timeline.end).toBe(timeline.steadyEnd + 1000);
    expect(timeline.steadySeconds).toEqual({ fromSecond: 1_000_015, toSecond: 1_000_018 });
  });

  it('Then an action belongs to the phase it started in, edges included on the right side', () => {
    expect(timeline.phaseAt(timeline.steadyStart - 0.001)).toBe('rampUp');
    expect(timeline.phaseAt(timeline.steadyStart)).toBe('steady');
    expect(timeline.phaseAt(timeline.steadyEnd - 0.001)).toBe('steady');
    expect(timeline.phaseAt(timeline.steadyEnd)).toBe('rampDown');
  });
});
