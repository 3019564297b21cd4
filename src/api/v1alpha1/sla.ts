// The SLA an experiment is judged against: sliding windows over steady state, the percentiles
// computed in each, and a response-time threshold per action (Cloudstone's by default).

import { z } from 'zod';
import { boundedDuration, durationMs, PositiveDuration } from './duration.ts';
import { CLOUDSTONE_THRESHOLDS, OLIO_ACTIONS, type OlioAction } from './olio-actions.ts';
import { celString, withRules } from './rules.ts';

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

const KNOWN_ACTIONS: ReadonlySet<string> = new Set(OLIO_ACTIONS);

const Thresholds = withRules(
  z.record(z.string().max(64), PositiveDuration).meta({ maxProperties: OLIO_ACTIONS.length }),
  [
    {
      rule: `self.all(action, action in [${OLIO_ACTIONS.map(celString).join(', ')}])`,
      message: `thresholds may name only the Olio actions: ${OLIO_ACTIONS.join(', ')}`,
      holds: (thresholds) => Object.keys(thresholds).every((action) => KNOWN_ACTIONS.has(action)),
    },
  ],
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
    thresholds: Thresholds.default({ ...CLOUDSTONE_THRESHOLDS })
      .transform((given): Record<OlioAction, string> => ({ ...CLOUDSTONE_THRESHOLDS, ...given }))
      .describe(
        'Response-time threshold per action. Actions not listed keep their Cloudstone threshold (HomePage 1s, Login 1s, TagSearch 2s, EventDetail 2s, PersonDetail 2s, AddPerson 3s, AddEvent 4s).',
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
