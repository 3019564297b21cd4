// The two drivers' scheduling, with a stand-in performer that takes a known time and makes no
// HTTP request (the HTTP side is action-runner.test.ts's): ramp-up spreading, steady-state
// attribution, the end, think times, open-loop arrivals and latency from the intended start.
import { describe, expect, it } from 'vitest';
import type { ActionOutcome } from '../recording/index.ts';
import { compileProfile, parseProfileDocument, Random, type Action, type Profile } from '../workloads/index.ts';
import type { ActionPerformer, ActionResult } from './action-runner.ts';
import { ArrivalSchedule, parseRate } from './arrival-schedule.ts';
import { now } from './clock.ts';
import { ClosedLoop } from './closed-loop.ts';
import { OpenLoop } from './open-loop.ts';
import { Timeline, type Phase } from './timeline.ts';
import type { SimulatedUser } from './user.ts';

function profile(thinkMs: number, timeout = '5s'): Profile {
  return compileProfile(
    parseProfileDocument({
      name: 'two',
      timeout,
      think: { distribution: 'fixed', mode: 'think', mean: thinkMs },
      matrix: { A: [0, 1], B: [1, 0] },
      actions: [
        { name: 'A', requests: [{ path: '/a' }] },
        { name: 'B', requests: [{ path: '/b' }] },
      ],
    }),
  );
}

interface Started {
  user: number;
  action: string;
  at: number;
  measuredFrom: number | undefined;
  /** Set when the action ends. */
  endedAt: number;
}

/** Takes `latencyMs` per action (sequentially per performer when `serial`). */
class SleepingPerformer implements ActionPerformer {
  readonly started: Started[] = [];
  readonly #latencyMs: number;
  constructor(latencyMs: number) {
    this.#latencyMs = latencyMs;
  }
  async run(user: SimulatedUser, action: Action, measuredFrom?: number): Promise<ActionResult> {
    const at = now();
    const started: Started = { user: user.userNumber, action: action.name, at, measuredFrom, endedAt: Number.NaN };
    this.started.push(started);
    user.actionStartedAt = measuredFrom ?? at;
    await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
    user.actionStartedAt = Number.NaN;
    started.endedAt = now();
    return { startedAt: measuredFrom ?? at, endedAt: started.endedAt, ok: true, errorKind: undefined, failure: undefined };
  }
}

function collect() {
  const outcomes: { outcome: ActionOutcome; phase: Phase }[] = [];
  return { outcomes, onOutcome: (outcome: ActionOutcome, phase: Phase) => outcomes.push({ outcome, phase }) };
}

describe('Given 10 closed-loop users, 1 s ramp-up, 1 s steady, 0.5 s ramp-down, 20 ms actions, 50 ms think', () => {
  const users = 10;
  const performer = new SleepingPerformer(20);
  const timeline = new Timeline(now() + 50, { rampUpMs: 1000, steadyMs: 1000, rampDownMs: 500 });
  const { outcomes, onOutcome } = collect();
  const loop = new ClosedLoop({ profile: profile(50), runner: performer, users, timeline, random: new Random(1), onOutcome });
  const finished = loop.run();

  it('Then user i starts no earlier than start + rampUp x i / N, in user order, first with the start action', async () => {
    await finished;
    const firsts = Array.from({ length: users }, (_, i) => performer.started.find((s) => s.user === i + 1));
    firsts.forEach((first, i) => {
      expect(first, `user ${i + 1} never started`).toBeDefined();
      expect(first?.at).toBeGreaterThanOrEqual(timeline.start + (1000 * i) / users - 0.5);
      expect(first?.action).toBe('A');
    });
    const order = [...firsts].sort((a, b) => (a?.at ?? 0) - (b?.at ?? 0)).map((first) => first?.user);
    expect(order).toEqual(firsts.map((first) => first?.user));
  });

  it('Then each outcome carries the phase its action started in, and no action starts after the end', async () => {
    await finished;
    for (const { outcome, phase } of outcomes) expect(phase).toBe(timeline.phaseAt(outcome.startMs));
    const phases = new Set(outcomes.map(({ phase }) => phase));
    expect(phases).toEqual(new Set(['rampUp', 'steady', 'rampDown']));
    expect(Math.max(...performer.started.map((s) => s.at))).toBeLessThan(timeline.end);
    expect(outcomes).toHaveLength(performer.started.length);
  });

  it('Then each user alternates A and B and waits its think time after each action', async () => {
    await finished;
    for (let user = 1; user <= users; user += 1) {
      const mine = performer.started.filter((s) => s.user === user);
      mine.forEach((start, k) => expect(start.action).toBe(k % 2 === 0 ? 'A' : 'B'));
      // The wake-up queue never wakes a user more than half a millisecond before it is due.
      for (let k = 1; k < mine.length; k += 1) expect((mine[k]?.at ?? 0) - (mine[k - 1]?.endedAt ?? Number.NaN)).toBeGreaterThanOrEqual(50 - 0.5);
    }
  });
});

describe('Given a closed loop stopped early', () => {
  it('Then it finishes with the actions in flight and starts no more', async () => {
    const performer = new SleepingPerformer(30);
    const timeline = new Timeline(now(), { rampUpMs: 0, steadyMs: 60_000, rampDownMs: 0 });
    const { outcomes, onOutcome } = collect();
    const loop = new ClosedLoop({ profile: profile(10), runner: performer, users: 5, timeline, random: new Random(2), onOutcome });
    const finished = loop.run();
    await new Promise((resolve) => setTimeout(resolve, 200));
    loop.stop();
    const startedAtStop = performer.started.length;
    await finished;
    expect(performer.started.length).toBe(startedAtStop);
    expect(outcomes.length).toBe(startedAtStop);
  });
});

describe('Given an open loop at 100 arrivals/s for 1 s, and one user whose actions take 30 ms (a stall)', () => {
  const performer = new SleepingPerformer(30);
  const timeline = new Timeline(now() + 20, { rampUpMs: 0, steadyMs: 1000, rampDownMs: 0 });
  const { outcomes, onOutcome } = collect();
  const loop = new OpenLoop({
    profile: profile(1000),
    runner: performer,
    users: 1,
    timeline,
    schedule: new ArrivalSchedule(timeline, parseRate('--rate', '100')),
    random: new Random(3),
    onOutcome,
  });
  const finished = loop.run();

  it('Then every arrival is served, each measured from its intended start 10 ms apart', async () => {
    await finished;
    expect(outcomes).toHaveLength(100);
    const intended = outcomes.map(({ outcome }) => outcome.startMs).sort((a, b) => a - b);
    intended.forEach((t, k) => expect(t).toBeCloseTo(timeline.start + 10 * k, 6));
    expect(performer.started.every((s) => s.measuredFrom !== undefined && s.at >= s.measuredFrom - 0.5)).toBe(true);
  });

  it('Then the queueing shows: each waits for the one before, so latencies grow by the backlog', async () => {
    await finished;
    const sorted = [...outcomes].sort((a, b) => a.outcome.startMs - b.outcome.startMs);
    // 30 ms of work per 10 ms between arrivals: each arrival waits about 20 ms longer than the last.
    for (let k = 1; k < sorted.length; k += 1) {
      expect((sorted[k]?.outcome.durationUs ?? 0) / 1000 - (sorted[k - 1]?.outcome.durationUs ?? 0) / 1000).toBeGreaterThan(10);
    }
    // And each is measured from its intended start to its real end.
    for (const start of performer.started) {
      const outcome = outcomes.find(({ outcome: o }) => o.startMs === start.measuredFrom)?.outcome;
      expect((outcome?.durationUs ?? 0) / 1000).toBeCloseTo(start.endedAt - (start.measuredFrom ?? Number.NaN), 2);
    }
  });
});

describe('Given an open loop whose queue waits longer than the action timeout', () => {
  it('Then the arrivals that waited too long are timeouts counted at their intended start', async () => {
    const performer = new SleepingPerformer(150);
    const timeline = new Timeline(now() + 20, { rampUpMs: 0, steadyMs: 1000, rampDownMs: 0 });
    const { outcomes, onOutcome } = collect();
    const loop = new OpenLoop({
      profile: profile(1000, '100ms'),
      runner: performer,
      users: 1,
      timeline,
      schedule: new ArrivalSchedule(timeline, parseRate('--rate', '20')),
      random: new Random(4),
      onOutcome,
    });
    await loop.run();
    expect(outcomes).toHaveLength(20);
    const timeouts = outcomes.filter(({ outcome }) => outcome.errorKind === 'timeout');
    expect(timeouts.length).toBeGreaterThan(0);
    for (const { outcome } of timeouts) expect(outcome.durationUs / 1000).toBeGreaterThan(100);
    expect(performer.started.length + timeouts.length).toBe(20);
  });
});
