// What an experiment asks for. The fields are shared with a campaign's template, which lacks the
// users (the sweep supplies them) and the repetitions (the campaign sets them); the rules that tie
// the schedule and the SLA to steady state apply to both.

import { z } from 'zod';
import { durationMs, maxDuration } from './duration.ts';
import { Migrations, migrationOffsetsMs } from './migrations.ts';
import { OLIO_ACTIONS } from './olio-actions.ts';
import { celString, withRules, type CelRule } from './rules.ts';
import { HttpUrl, LocalObjectReference, VmSelector } from './references.ts';
import { Sla } from './sla.ts';
import { TestbedInputs } from './testbed-inputs.ts';
import { TemplateWorkload, Workload } from './workload.ts';

export const Target = z.strictObject({
  vm: VmSelector.describe('The VM to live-migrate (the study: the web tier, Apache + PHP).'),
  applicationUrl: HttpUrl.describe('Base URL of the application inside that VM, which the load drives.'),
  probeUrl: HttpUrl.optional().describe(
    'URL the active downtime probe polls (a cheap page, e.g. /healthz); default: applicationUrl.',
  ),
});
export type Target = z.output<typeof Target>;

export const Abort = z.strictObject({
  onViolation: z
    .enum(['none', 'p90', 'p99'])
    .default('none')
    .describe(
      "Stop the run at the first window breaking this percentile's SLA: the load and pending migrations stop, the results so far and the request log are kept. none: run to the end.",
    ),
});

// A baseline run: the same load for the same length, without migrating, before the measured runs;
// the results then say what the migrations added (docs/sla.md#baseline).
export const Baseline = z.strictObject({
  enabled: z
    .boolean()
    .describe('Run the load once without migration (same workload, same length) before the measured runs, pauseBetweenRuns apart, and compare each action with it.'),
});

export const Recording = z.strictObject({
  requestLog: z.boolean().default(false).describe('Keep a log of every request (time, action, latency, status) for each run.'),
});

// The fields an experiment and a campaign template share, in the order a person reads them; the
// workload and the repetitions, which differ, go between.
const whatAndWhere = {
  poolRef: LocalObjectReference.describe('The XenPool the VM runs on.'),
  target: Target.describe('The VM to migrate and the application it serves.'),
};

const judgedAndMigrated = {
  sla: Sla.prefault({}).describe("The SLA the runs are judged against; Cloudstone's by default."),
  migrations: Migrations.optional().describe('Live migrations during steady state; none when absent.'),
  testbed: TestbedInputs.optional().describe(
    "Only for a simulated pool (the Migrascope testbed): inputs of its pre-copy model for this experiment's migrations, replacing the topology's. A real pool decides these itself and is refused: they are not settable there.",
  ),
};

const howRunsEnd = {
  baseline: Baseline.optional().describe('A run without migration to compare the measured runs with; none when absent. Needs migrations.'),
  pauseBetweenRuns: maxDuration('24h').default('30s').describe("Settle time between repetitions (and between a campaign's levels)."),
  abort: Abort.prefault({}).describe('Whether to stop a run early on an SLA violation.'),
  record: Recording.prefault({}).describe('What to keep besides the results.'),
  ttlSecondsAfterFinished: z
    .int()
    .min(0)
    .max(31_536_000)
    .optional()
    .describe('Delete the experiment this many seconds after it finished; kept forever when absent.'),
  ttlOnlyIfSucceeded: z
    .boolean()
    .default(false)
    .describe('With ttlSecondsAfterFinished: delete only experiments that Succeeded, so failures stay for debugging.'),
};

const OLIO_ACTION_SET: ReadonlySet<string> = new Set(OLIO_ACTIONS);

interface ScheduledSpec {
  workload: { steadyState: string; profileRef?: { name: string } | undefined };
  sla: { window: string; percentiles: number[]; thresholds: Record<string, string> };
  migrations?: z.output<typeof Migrations> | undefined;
  baseline?: { enabled: boolean } | undefined;
  abort: { onViolation: 'none' | 'p90' | 'p99' };
}

/** Rules tying the SLA window and the migration schedule to steady state. */
function steadyStateRules<T extends ScheduledSpec>(): CelRule<T>[] {
  const steadyMs = (spec: T) => durationMs(spec.workload.steadyState);
  return [
    {
      rule: 'duration(self.sla.window) <= duration(self.workload.steadyState)',
      message: 'sla.window must not be longer than workload.steadyState, or no window would be complete',
      field: ['sla', 'window'],
      holds: (spec) => durationMs(spec.sla.window) <= steadyMs(spec),
    },
    {
      rule:
        '!has(self.migrations) || !has(self.migrations.offsets) || ' +
        'self.migrations.offsets.all(o, duration(o) < duration(self.workload.steadyState))',
      message: 'every migration offset must fall inside steady state (shorter than workload.steadyState)',
      field: ['migrations', 'offsets'],
      holds: (spec) => !spec.migrations?.offsets || migrationOffsetsMs(spec.migrations).every((o) => o < steadyMs(spec)),
    },
    {
      rule:
        '!has(self.migrations) || !has(self.migrations.count) || !has(self.migrations.first) || ' +
        'duration(self.migrations.first).getMilliseconds() + ' +
        '(has(self.migrations.spacing) ? (self.migrations.count - 1) * duration(self.migrations.spacing).getMilliseconds() : 0) ' +
        '< duration(self.workload.steadyState).getMilliseconds()',
      message: 'the last migration (first + (count - 1) x spacing) must start inside steady state (before workload.steadyState ends)',
      field: ['migrations', 'count'],
      holds: (spec) =>
        spec.migrations?.count === undefined || migrationOffsetsMs(spec.migrations).every((o) => o < steadyMs(spec)),
    },
    {
      rule: '!has(self.baseline) || !self.baseline.enabled || has(self.migrations)',
      message: 'baseline.enabled compares the runs with migrations against one without: set migrations, or remove baseline',
      field: ['baseline', 'enabled'],
      holds: (spec) => !spec.baseline?.enabled || spec.migrations !== undefined,
    },
    {
      // A WorkloadProfile's actions are known only once it is read: the controller checks those.
      rule: `has(self.workload.profileRef) || self.sla.thresholds.all(action, action in [${OLIO_ACTIONS.map(celString).join(', ')}])`,
      message: `with the built-in olio profile, thresholds may name only the Olio actions: ${OLIO_ACTIONS.join(', ')}`,
      field: ['sla', 'thresholds'],
      holds: (spec) => spec.workload.profileRef !== undefined || Object.keys(spec.sla.thresholds).every((action) => OLIO_ACTION_SET.has(action)),
    },
    {
      rule:
        "self.abort.onViolation == 'none' || " +
        "(self.abort.onViolation == 'p90' && 90.0 in self.sla.percentiles) || " +
        "(self.abort.onViolation == 'p99' && 99.0 in self.sla.percentiles)",
      message: 'abort.onViolation names a percentile that sla.percentiles does not compute',
      field: ['abort', 'onViolation'],
      holds: (spec) =>
        spec.abort.onViolation === 'none' || spec.sla.percentiles.includes(Number(spec.abort.onViolation.slice(1))),
    },
  ];
}

export const MigrationExperimentSpec = withRules(
  z.strictObject({
    ...whatAndWhere,
    workload: Workload.describe('The load: users or rate, think times, ramp-up, steady state, ramp-down.'),
    ...judgedAndMigrated,
    repetitions: z
      .int()
      .min(1)
      .max(100)
      .default(1)
      .describe('Runs, back to back; each is reported and the summary averages them (the study: 5).'),
    ...howRunsEnd,
  }),
  steadyStateRules(),
);
export type MigrationExperimentSpec = z.output<typeof MigrationExperimentSpec>;

export const ExperimentTemplateSpec = withRules(
  z.strictObject({
    ...whatAndWhere,
    workload: TemplateWorkload.prefault({}).describe('The load; users or rate here only when the sweep sets neither (it sets them level by level otherwise).'),
    ...judgedAndMigrated,
    ...howRunsEnd,
  }),
  steadyStateRules(),
);
export type ExperimentTemplateSpec = z.output<typeof ExperimentTemplateSpec>;
