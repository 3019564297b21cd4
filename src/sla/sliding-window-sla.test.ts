import { describe, expect, it } from 'vitest';
import { build, type JsHistogram } from 'hdr-histogram-js';
import { newHistogram, type SecondSnapshot } from '../recording/index.ts';
import { InvalidInputError } from '../invalid/index.ts';
import { SlidingWindowSla, type WindowEvaluation } from './sliding-window-sla.ts';

const S0 = 1_700_000_000; // epoch second
const T0 = S0 * 1000;

/** A second with successful actions of the given response times (ms). */
function second(offset: number, actions: Record<string, number[]>): SecondSnapshot {
  const snapshot: SecondSnapshot = { second: S0 + offset, actions: {} };
  for (const [action, durations] of Object.entries(actions)) {
    const histogram = newHistogram();
    for (const ms of durations) histogram.recordValue(Math.round(ms * 1000));
    snapshot.actions[action] = { histogram, ok: durations.length, errors: {} };
  }
  return snapshot;
}

/** What HdrHistogram reports for a sample of `ms`: the top of its bucket, in ms. */
function reported(ms: number): number {
  return (build() as JsHistogram).highestEquivalentValue(Math.round(ms * 1000)) / 1000;
}

function feed(sla: SlidingWindowSla, seconds: SecondSnapshot[]): WindowEvaluation[] {
  return [...seconds.flatMap((s) => sla.add(s)), ...sla.finish()];
}

describe('Given 10 s windows sliding by 1 s over 15 s of steady state', () => {
  const options = { window: 10_000, step: 1000, start: T0, end: T0 + 15_000, thresholds: { HomePage: 1000 } };

  describe('When samples sit exactly on a window’s lower edge and on its end', () => {
    const sla = new SlidingWindowSla(options);
    // Window [T0+2s, T0+12s): second 2 is in it, second 12 is not.
    const windows = feed(sla, [second(2, { HomePage: [100] }), second(12, { HomePage: [500] })]);
    const window = (end: number): WindowEvaluation | undefined => windows.find((w) => w.end === T0 + end * 1000);

    it('Then windows end at start + window, then every step, up to and including end', () => {
      expect(windows.map((w) => (w.end - T0) / 1000)).toEqual([10, 11, 12, 13, 14, 15]);
      expect(sla.result().windows).toBe(6);
    });

    it('Then a sample at t - window is in the window and a sample at t is out', () => {
      expect(window(12)?.actions.HomePage?.samples).toBe(1);
      expect(window(12)?.actions.HomePage?.percentiles['90']).toBe(reported(100));
      expect(window(13)?.actions.HomePage?.samples).toBe(1);
      expect(window(13)?.actions.HomePage?.percentiles['90']).toBe(reported(500));
    });
  });

  describe('When an action has samples in some windows only', () => {
    const sla = new SlidingWindowSla(options);
    const windows = feed(sla, [second(0, { HomePage: [5000] })]);
    const result = sla.result();

    it('Then the windows without a sample are empty, listed without the action and not violations', () => {
      expect(windows.map((w) => w.actions.HomePage?.samples ?? 0)).toEqual([1, 0, 0, 0, 0, 0]);
      expect(result.actions.HomePage?.windowsWithSamples).toBe(1);
      expect(result.actions.HomePage?.percentiles['90']?.violations).toBe(1);
    });
  });

  describe('When the only sample is one action', () => {
    const sla = new SlidingWindowSla(options);
    feed(sla, [second(4, { HomePage: [321] })]);
    const verdict = sla.result().actions.HomePage;

    it('Then every percentile of a window is that sample', () => {
      expect(verdict?.percentiles['90']?.maxMs).toBe(reported(321));
      expect(verdict?.percentiles['99']?.maxMs).toBe(reported(321));
      expect(verdict?.percentiles['90']?.met).toBe(true);
    });
  });
});

describe('Given steady state shorter than one window', () => {
  const sla = new SlidingWindowSla({ window: 300_000, start: T0, end: T0 + 299_000 });
  feed(sla, [second(0, { HomePage: [9000] })]);
  it('When judged, Then no window is evaluated, so nothing is violated', () => {
    const result = sla.result();
    expect(result.windows).toBe(0);
    expect(result.actions.HomePage?.percentiles['90']).toMatchObject({ violations: 0, maxMs: null, met: true });
  });
});

describe('Given one window of hand-computed samples', () => {
  const judge = (durations: number[], percentiles = [90, 99]) => {
    const sla = new SlidingWindowSla({ window: 1000, start: T0, end: T0 + 1000, percentiles, thresholds: { Login: 1000 } });
    feed(sla, [second(0, { Login: durations })]);
    return sla.result().actions.Login!;
  };

  it('When 10 samples are 100..1000 ms, Then p90 is the 9th (900 ms) and p99 the 10th (1000 ms)', () => {
    const login = judge([1000, 100, 900, 200, 800, 300, 700, 400, 600, 500]);
    expect(login.percentiles['90']?.maxMs).toBe(reported(900));
    expect(login.percentiles['99']?.maxMs).toBe(reported(1000));
  });

  it('When 20 samples are 1..20 ms, Then p90 is the 18th and p99 the 20th (nearest rank rounds up)', () => {
    const login = judge(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(login.percentiles['90']?.maxMs).toBe(reported(18));
    expect(login.percentiles['99']?.maxMs).toBe(reported(20));
  });

  it('When 101 samples are 1..101 ms, Then p99 is the 100th (ceil of 99.99)', () => {
    expect(judge(Array.from({ length: 101 }, (_, i) => i + 1)).percentiles['99']?.maxMs).toBe(reported(100));
  });

  it('When p50 is asked of 4 samples, Then it is the 2nd', () => {
    expect(judge([10, 20, 30, 40], [50]).percentiles['50']?.maxMs).toBe(reported(20));
  });

  it('When the percentile equals the threshold exactly, Then it meets it (violation is strictly over)', () => {
    const login = judge([1000, 1000, 1000]);
    expect(login.percentiles['90']).toMatchObject({ violations: 0, met: true });
  });

  it('When the percentile is over the threshold by more than the histogram precision, Then it violates', () => {
    const login = judge([1002, 1002, 1002]);
    expect(login.percentiles['90']).toMatchObject({ violations: 1, met: false, firstViolationAt: T0 + 1000 });
  });
});

describe('Given a run whose p99 rises and falls', () => {
  // 60 s of steady state, 10 s windows by 1 s; AddEvent is slow (5 s) during seconds 30..32.
  const seconds = Array.from({ length: 60 }, (_, i) => second(i, { AddEvent: i >= 30 && i < 33 ? [5000] : [100, 100, 100, 100] }));
  const sla = new SlidingWindowSla({ window: 10_000, step: 1000, start: T0, end: T0 + 60_000 });
  feed(sla, seconds);
  const result = sla.result();
  const p99 = result.actions.AddEvent?.percentiles['99'];
  const p90 = result.actions.AddEvent?.percentiles['90'];

  it('Then the maximum windowed p99 and the first violation are the windows that first held the slow second', () => {
    expect(p99?.maxMs).toBe(reported(5000));
    expect(p99?.maxAt).toBe(T0 + 31_000);
    expect(p99?.firstViolationAt).toBe(T0 + 31_000);
    // Windows ending 31..42 s hold a slow second: 12 windows.
    expect(p99?.violations).toBe(12);
  });

  it('Then p90 stays met: at most 3 slow samples out of 31 or more', () => {
    expect(p90?.met).toBe(true);
    expect(result.met).toEqual({ '90': true, '99': false });
    expect(result.windows).toBe(51);
  });
});

describe('Given the seconds of one worker each, for the same second, and one late second', () => {
  const sla = new SlidingWindowSla({ window: 3000, step: 1000, start: T0, end: T0 + 10_000, thresholds: { A: 1000 } });
  sla.add(second(0, { A: [10] }));
  sla.add(second(0, { A: [20] })); // a second worker's share of second 0: not late
  sla.add(second(1, { A: [30] }));
  const judged = sla.add(second(3, { A: [40] })); // judges the window ending at 3 s
  sla.add(second(1, { A: [5000, 5000] })); // late: the window ending at 3 s was judged without it
  const rest = sla.finish();

  it('Then same-second shares add up and late samples are counted', () => {
    expect(judged.map((w) => [w.end - T0, w.actions.A?.samples])).toEqual([[3000, 3]]);
    expect(sla.result().lateSamples).toBe(2);
  });

  it('Then later windows still include the late second while it is in them', () => {
    expect(rest.find((w) => w.end === T0 + 4000)?.actions.A?.samples).toBe(4);
    expect(rest.find((w) => w.end === T0 + 5000)?.actions.A?.samples).toBe(1);
  });
});

describe('Given fast actions and failed ones in the same 10 s window', () => {
  const options = { window: 10_000, step: 10_000, start: T0, end: T0 + 10_000, thresholds: { HomePage: 1000 } };
  /** 100 successes of 50 ms, and `failed` timeouts, in second 0. */
  function judged(failed: number) {
    const snapshot = second(0, { HomePage: Array.from({ length: 100 }, () => 50) });
    snapshot.actions.HomePage!.errors = { timeout: failed };
    const sla = new SlidingWindowSla(options);
    const [window] = feed(sla, [snapshot]);
    return { window: window?.actions.HomePage, verdict: sla.result().actions.HomePage };
  }

  it('When 5 of 105 failed (within p90\'s 10%, over p99\'s 1%), Then p90 is met, p99 broken, and the values stay those of the successes', () => {
    const { window, verdict } = judged(5);
    expect(window).toMatchObject({ samples: 100, failures: 5, violated: { '90': false, '99': true } });
    expect(window?.percentiles['99']).toBe(reported(50));
    expect(verdict?.percentiles['90']?.met).toBe(true);
    expect(verdict?.percentiles['99']?.met).toBe(false);
  });

  it('When 12 of 112 failed, Then p90 is broken too', () => {
    expect(judged(12).window?.violated).toEqual({ '90': true, '99': true });
  });

  it('When none failed, Then both are met', () => {
    expect(judged(0).window?.violated).toEqual({ '90': false, '99': false });
  });

  it('When a window holds only failures, Then the window is broken, and the action, never successful, reads no data and not met', () => {
    const sla = new SlidingWindowSla(options);
    const [window] = feed(sla, [{ second: S0, actions: { HomePage: { histogram: newHistogram(), ok: 0, errors: { connect: 3 } } } }]);
    expect(window?.actions.HomePage).toEqual({ samples: 0, failures: 3, percentiles: {}, violated: { '90': true, '99': true } });
    // No value to judge: the action's verdict is "no data" rather than a number over the threshold; the SLA is not met either way.
    expect(sla.result().actions.HomePage).toMatchObject({ windowsWithSamples: 0, noData: true, percentiles: { '90': { met: null, maxMs: null } } });
    expect(sla.result().met).toEqual({ '90': false, '99': false });
  });
});

describe('Given settings that cannot be used', () => {
  it.each([
    [{ window: 1500, start: T0 }, 'window'],
    [{ step: 0, start: T0 }, 'step'],
    [{ start: T0 + 1 }, 'start'],
    [{ start: T0, end: T0 - 1000 }, 'end'],
    [{ start: T0, percentiles: [0] }, 'percentiles'],
    [{ start: T0, thresholds: { HomePage: -1 } }, 'thresholds.HomePage'],
  ])('When %j, Then it is refused naming %s', (options, field) => {
    let error: unknown;
    try {
      new SlidingWindowSla(options);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
  });
});
