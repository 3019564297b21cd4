// The load put on the application: who the users are (the profile), how many (closed loop) or how
// often operations start (open loop), how they pause, and the run's three stages. Only steady
// state is judged against the SLA, as in the study.

import { z } from 'zod';
import { boundedDuration, maxDuration } from './duration.ts';
import { LocalObjectReference } from './references.ts';
import { withRules, type CelRule } from './rules.ts';

export const WORKLOAD_PROFILES = ['olio'] as const;

export const ThinkTime = z.strictObject({
  distribution: z
    .enum(['negativeExponential', 'fixed', 'uniform'])
    .default('negativeExponential')
    .describe("How pauses are drawn; Faban's Olio driver: negativeExponential. uniform draws from 0 to twice the mean."),
  mean: maxDuration('1h').default('5s').describe('Mean pause; Olio: 5s.'),
  maxMultiple: z
    .number()
    .min(1)
    .max(100)
    .default(5)
    .describe('Draws are truncated at this multiple of the mean (Faban truncates at 5).'),
  cycleType: z
    .enum(['cycleTime', 'thinkTime'])
    .default('cycleTime')
    .describe(
      'cycleTime: the mean runs from the start of one operation to the start of the next, so the pause is the mean minus the response time (Olio). thinkTime: the pause follows each response in full.',
    ),
});
export type ThinkTime = z.output<typeof ThinkTime>;

/** The fields an experiment and a campaign's template share; users/rate differ between them. */
export const workloadShape = {
  profile: z
    .enum(WORKLOAD_PROFILES)
    .optional()
    .describe('A built-in user model: olio, the Olio social-events mix of the study (the default when profileRef is absent).'),
  profileRef: LocalObjectReference.optional().describe(
    "A WorkloadProfile in the same namespace: your own application's users. Set profile or profileRef, not both.",
  ),
  params: z
    .record(z.string().max(128), z.union([z.string().max(256), z.int()]).meta({ 'x-kubernetes-int-or-string': true }))
    .meta({ maxProperties: 64 })
    .optional()
    .describe("Values for the profile's params, overriding its own (olio: scale, the app's seeded users, and tags)."),
  drivers: z
    .int()
    .min(1)
    .max(256)
    .default(1)
    .describe('Number of parallel load workers the users are sharded across; percentiles come from their merged histograms.'),
  thinkTime: ThinkTime.optional().describe(
    "Pauses between a user's operations, replacing the profile's; absent: the profile's own (Olio's: negativeExponential, cycleTime, mean 5s, truncated at 5 x the mean).",
  ),
  rampUp: maxDuration('24h').default('1m').describe('Users start gradually over this long; not judged.'),
  steadyState: boundedDuration('24h').default('10m').describe('The judged part of a run; migration offsets count from its start.'),
  rampDown: maxDuration('24h').default('30s').describe('Load continues this long after steady state; not judged.'),
};

/** The built-in profile, or a WorkloadProfile by reference: one of them (none means olio). */
const oneProfile: CelRule<{ profile?: string | undefined; profileRef?: unknown }> = {
  rule: '!(has(self.profile) && has(self.profileRef))',
  message: 'set either profile (a built-in one) or profileRef (a WorkloadProfile), not both',
  field: ['profileRef'],
  holds: (w) => !(w.profile !== undefined && w.profileRef !== undefined),
};

const Users = z.int().min(1, { error: 'users must be at least 1' }).max(100_000);

const Rate = z.number().gt(0).max(100_000);

const driversFitUsers: CelRule<{ users?: number | undefined; drivers: number }> = {
  rule: '!has(self.users) || self.drivers <= self.users',
  message: 'drivers must not exceed users: every driver needs at least one user',
  field: ['drivers'],
  holds: (w) => w.users === undefined || w.drivers <= w.users,
};

export const Workload = withRules(
  z.strictObject({
    ...workloadShape,
    users: Users.optional().describe('Closed loop: this many concurrent simulated users. Set users or rate, not both.'),
    rate: Rate.optional().describe('Open loop: operations started per second whether or not earlier ones have finished. Set users or rate, not both.'),
  }),
  [
    oneProfile,
    {
      rule: 'has(self.users) != has(self.rate)',
      message: 'set exactly one of users (closed loop) or rate (open loop)',
      field: ['users'],
      holds: (w) => (w.users === undefined) !== (w.rate === undefined),
    },
    driversFitUsers,
  ],
);
export type Workload = z.output<typeof Workload>;

/**
 * A campaign's template: the sweep supplies the users or the rate when it sweeps them; a campaign
 * that sweeps something else sets the load here, once for every level.
 */
export const TemplateWorkload = withRules(
  z.strictObject({
    ...workloadShape,
    users: Users.optional().describe('Closed loop, when the sweep does not set users or rate: the users of every level.'),
    rate: Rate.optional().describe('Open loop, when the sweep does not set users or rate: the rate of every level, per second.'),
  }),
  [
    oneProfile,
    {
      rule: '!(has(self.users) && has(self.rate))',
      message: 'set users (closed loop) or rate (open loop), not both',
      field: ['users'],
      holds: (w) => w.users === undefined || w.rate === undefined,
    },
    driversFitUsers,
  ],
);
export type TemplateWorkload = z.output<typeof TemplateWorkload>;

/** The profile a workload names, for a person: "olio" or "WorkloadProfile shop". */
export function profileLabel(workload: { profile?: string | undefined; profileRef?: { name: string } | undefined }): string {
  return workload.profileRef ? `WorkloadProfile ${workload.profileRef.name}` : (workload.profile ?? 'olio');
}
