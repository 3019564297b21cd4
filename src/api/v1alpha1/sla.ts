// The SLA an experiment is judged against: sliding windows over steady state, the percentiles
// computed in each, and a response-time threshold per action (Cloudstone's by default).

import { z } from 'zod';
import { InvalidInputError } from '../../invalid/index.ts';
import { boundedDuration, durationMs, PositiveDuration } from './duration.ts';
import { withRules } from './rules.ts';

const Percentile = z
  .number()
  .gt(0, { error: 'a percentile must be greater than 0' })
  .lt(100, { error: 'a percentile must be less than 100 (use 99.9 for "three nines")' });

const Percentiles = withRules(z.array(Percentile).min(1).max(8), [
  {
    rule: 'self.all(p, self.exists_one(q, q == p))',
    message: 'each percentile may be listed once',
    holds: (list) => new Set(list).size === list.length,
  },
]);

const Thresholds = z
  .record(z.string().max(64), PositiveDuration)
  .meta({ maxProperties: 64 })
  .default({})
  .describe(
    "Response-time threshold per action of the profile. With the built-in olio profile, actions not listed keep their Cloudstone threshold (HomePage 1s, Login 1s, TagSearch 2s, EventDetail 2s, PersonDetail 2s, AddPerson 3s, AddEvent 4s); a WorkloadProfile's actions need one here or defaultThreshold.",
  );

export const Sla = withRules(
  z.strictObject({
    window: boundedDuration('24h')
      .default('5m')
      .describe('Length of each sliding window over steady state; Cloudstone: 5m.'),
    step: boundedDuration('1h')
      .default('1s')
      .describe('How far the window slides between evaluations; 1s evaluates every window the per-second histograms allow.'),
    percentiles: Percentiles.default([90, 99]).describe(
      'Percentiles computed in every window; 90 is the relaxed and 99 the strict Cloudstone SLA.',
    ),
    thresholds: Thresholds,
    defaultThreshold: PositiveDuration.optional().describe(
      'The threshold of every action of the profile that thresholds does not list (and, with olio, that has no Cloudstone threshold).',
    ),
  }),
  [
    {
      rule: 'duration(self.step) <= duration(self.window)',
      message: 'step must not be longer than window',
      field: ['step'],
      holds: (sla) => durationMs(sla.step) <= durationMs(sla.window),
    },
  ],
);
export type Sla = z.output<typeof Sla>;

/**
 * The thresholds a run is judged by: one per action of its profile, from sla.thresholds, else the
 * profile's built-in defaults (olio: Cloudstone), else sla.defaultThreshold. `root` is the path of
 * the SLA in the resource (spec.sla), `profile` names the profile for a person.
 */
export function judgedThresholds(
  sla: Pick<Sla, 'thresholds' | 'defaultThreshold'>,
  actions: readonly string[],
  profile: string,
  builtIn: Readonly<Record<string, string>> = {},
  root = 'spec.sla',
): Record<string, string> {
  const known = new Set(actions);
  for (const action of Object.keys(sla.thresholds)) {
    if (!known.has(action)) {
      throw new InvalidInputError(`${root}.thresholds.${action}`, `${profile} has no action "${action}" (its actions: ${actions.join(', ')})`);
    }
  }
  const judged: Record<string, string> = {};
  const missing: string[] = [];
  for (const action of actions) {
    const threshold = sla.thresholds[action] ?? builtIn[action] ?? sla.defaultThreshold;
    if (threshold === undefined) missing.push(action);
    else judged[action] = threshold;
  }
  if (missing.length > 0) {
    throw new InvalidInputError(
      `${root}.thresholds`,
      `no threshold for ${missing.join(', ')} (actions of ${profile}): list them in ${root}.thresholds or set ${root}.defaultThreshold`,
    );
  }
  return judged;
}
