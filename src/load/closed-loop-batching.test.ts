// Closed-loop users without think time start their next action only once the responses at hand
// have all been taken in: answers that arrive together are all recorded before any next request
// goes out (a write costs more than a read, and would make the answers behind it look slower).
import { describe, expect, it } from 'vitest';
import { compileProfile, parseProfileDocument, Random, type Action } from '../workloads/index.ts';
import type { ActionPerformer, ActionResult } from './action-runner.ts';
import { now } from './clock.ts';
import { ClosedLoop } from './closed-loop.ts';
import { Timeline } from './timeline.ts';
import type { SimulatedUser } from './user.ts';

const profile = compileProfile(
  parseProfileDocument({
    name: 'no-think',
    think: { distribution: 'fixed', mode: 'think', mean: 0 },
    actions: [{ name: 'A', requests: [{ path: '/a' }] }],
  }),
);

/** Every action of every user ends on the same timer tick, 5 ms after it started. */
class TogetherPerformer implements ActionPerformer {
  readonly events: string[];
  readonly #pending: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  constructor(events: string[]) {
    this.events = events;
  }
  run(user: SimulatedUser, _action: Action): Promise<ActionResult> {
    const startedAt = now();
    this.events.push(`start ${user.userNumber}`);
    user.actionStartedAt = startedAt;
    return new Promise((resolve) => {
      this.#pending.push(() => {
        user.actionStartedAt = Number.NaN;
        resolve({ startedAt, endedAt: now(), ok: true, errorKind: undefined, failure: undefined });
      });
      if (this.#timer === undefined) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          for (const finish of this.#pending.splice(0)) finish();
        }, 5);
      }
    });
  }
}

describe('Given 3 closed-loop users without think time whose answers all arrive together', () => {
  it('Then each round records all three outcomes before any of the three starts again', async () => {
    const events: string[] = [];
    const timeline = new Timeline(now() + 20, { rampUpMs: 0, steadyMs: 200, rampDownMs: 0 });
    const loop = new ClosedLoop({
      profile,
      runner: new TogetherPerformer(events),
      users: 3,
      timeline,
      random: new Random(1),
      onOutcome: () => events.push('outcome'),
    });
    await loop.run();
    // Rounds after the first start: three outcomes, then three starts.
    const rounds = events.join(' ').split(/(?=outcome outcome outcome)/).slice(1);
    expect(rounds.length).toBeGreaterThan(3);
    for (const round of rounds.slice(0, -1)) {
      const [outcomes, starts] = [round.match(/outcome/g) ?? [], round.match(/start \d/g) ?? []];
      expect(outcomes).toHaveLength(3);
      expect([...starts].sort()).toEqual(['start 1', 'start 2', 'start 3']);
      expect(round.lastIndexOf('outcome')).toBeLessThan(round.indexOf('start'));
    }
  });
});
