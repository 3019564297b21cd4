import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../invalid/index.ts';
import { ArrivalSchedule, parseRate } from './arrival-schedule.ts';
import { Timeline } from './timeline.ts';

function arrivals(schedule: ArrivalSchedule): number[] {
  const times: number[] = [];
  for (let t = schedule.next(); Number.isFinite(t); t = schedule.next()) times.push(t);
  return times;
}

describe('Given a constant rate of 200/s over 2 s of steady state (no ramps)', () => {
  const timeline = new Timeline(0, { rampUpMs: 0, steadyMs: 2000, rampDownMs: 0 });
  const times = arrivals(new ArrivalSchedule(timeline, parseRate('--rate', '200')));
  it('Then there are 400 arrivals evenly 5 ms apart, the first at the start', () => {
    expect(times).toHaveLength(400);
    times.forEach((t, k) => expect(t).toBeCloseTo(k * 5, 6));
  });
});

describe('Given steps 100,300 over 2 s of steady state', () => {
  const timeline = new Timeline(0, { rampUpMs: 0, steadyMs: 2000, rampDownMs: 0 });
  const times = arrivals(new ArrivalSchedule(timeline, parseRate('--rate', '100,300')));
  it('Then the first second has 100 arrivals and the second 300', () => {
    expect(times.filter((t) => t < 1000)).toHaveLength(100);
    expect(times.filter((t) => t >= 1000 && t < 2000)).toHaveLength(300);
  });
});

describe('Given a ramp-up of 2 s to 100/s, 1 s steady, 1 s ramp-down', () => {
  const timeline = new Timeline(0, { rampUpMs: 2000, steadyMs: 1000, rampDownMs: 1000 });
  const times = arrivals(new ArrivalSchedule(timeline, parseRate('--rate', '100')));
  it('Then ramp-up has the integral of the linear rate (100 arrivals), a quarter of them in its first half', () => {
    expect(times.filter((t) => t < 2000)).toHaveLength(100);
    expect(times.filter((t) => t < 1000)).toHaveLength(25);
  });
  it('Then steady state and ramp-down hold 100/s', () => {
    expect(times.filter((t) => t >= 2000 && t < 3000)).toHaveLength(100);
    expect(times.filter((t) => t >= 3000)).toHaveLength(100);
    expect(times.every((t, i) => i === 0 || t > (times[i - 1] ?? 0))).toBe(true);
    expect(times[0]).toBe(0);
  });
});

describe('Given steps with durations', () => {
  const timeline = new Timeline(0, { rampUpMs: 0, steadyMs: 3000, rampDownMs: 0 });
  it('When they add up to steady state, Then each lasts its duration', () => {
    const times = arrivals(new ArrivalSchedule(timeline, parseRate('--rate', '10:1s,50:2s')));
    expect(times.filter((t) => t < 1000)).toHaveLength(10);
    expect(times.filter((t) => t >= 1000)).toHaveLength(100);
  });
  it('When they do not, Then --rate is refused', () => {
    expect(() => new ArrivalSchedule(timeline, parseRate('--rate', '10:1s,50:1s'))).toThrow(/--rate: the steps last 2000 ms/);
  });
});

describe('Given malformed rates', () => {
  it('Then each is refused naming --rate', () => {
    for (const text of ['', 'fast', '0', '-5', '10:1s,20', '10:x', '1:2:3']) {
      expect(() => parseRate('--rate', text), text).toThrow(InvalidInputError);
    }
  });
});
