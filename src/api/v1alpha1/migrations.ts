// When the VM is live-migrated during steady state, and where to. The schedule is either a list of
// offsets, or count + first + spacing; offsets count from the start of steady state.

import { z } from 'zod';
import { Duration, PositiveDuration, boundedDuration, durationMs } from './duration.ts';
import { withRules } from './rules.ts';

export const DESTINATION_POLICIES = ['host', 'roundRobin', 'mostFreeMemory'] as const;
export const MAX_MIGRATIONS = 32;

export const Destination = withRules(
  z.strictObject({
    policy: z
      .enum(DESTINATION_POLICIES)
      .default('roundRobin')
      .describe(
        "host: always the named host. roundRobin: the pool's other hosts in turn. mostFreeMemory: the other host with the most free memory. Both never send the VM back to the previous migration's source (no ping-pong, as in the study) when the pool has a third host; in a two-host pool the VM alternates between the two.",
      ),
    host: z.string().min(1).max(255).optional().describe('Name label of the destination host; only with policy host.'),
  }),
  [
    {
      rule: "self.policy != 'host' || has(self.host)",
      message: 'host is required when policy is host',
      field: ['host'],
      holds: (d) => d.policy !== 'host' || d.host !== undefined,
    },
    {
      rule: "!has(self.host) || self.policy == 'host'",
      message: 'host is used only with policy host; remove it or set policy: host',
      field: ['host'],
      holds: (d) => d.host === undefined || d.policy === 'host',
    },
  ],
);
export type Destination = z.output<typeof Destination>;

export const Migrations = withRules(
  z.strictObject({
    offsets: z
      .array(Duration)
      .min(1)
      .max(MAX_MIGRATIONS)
      .optional()
      .describe('Offsets into steady state at which a migration starts, e.g. [5m]. Or use count, first and spacing.'),
    count: z.int().min(1).max(MAX_MIGRATIONS).optional().describe('Number of migrations, with first and spacing.'),
    first: Duration.optional().describe('Offset into steady state of the first migration (with count).'),
    spacing: PositiveDuration.optional().describe('Time between the starts of consecutive migrations (with count > 1).'),
    destination: Destination.prefault({}).describe('Where each migration goes.'),
    timeout: boundedDuration('6h')
      .default('15m')
      .describe('A migration still running after this long fails the run.'),
  }),
  [
    {
      rule: 'has(self.offsets) != has(self.count)',
      message: 'set either offsets, or count with first and spacing, not both',
      field: ['offsets'],
      holds: (m) => (m.offsets === undefined) !== (m.count === undefined),
    },
    {
      rule: 'has(self.first) == has(self.count)',
      message: 'first goes with count: set both (the offset of the first of count migrations) or neither',
      field: ['first'],
      holds: (m) => (m.first === undefined) === (m.count === undefined),
    },
    {
      rule: 'has(self.spacing) ? has(self.count) && self.count > 1 : !has(self.count) || self.count == 1',
      message: 'spacing goes with count > 1: set it for two or more migrations, leave it out otherwise',
      field: ['spacing'],
      holds: (m) => (m.spacing !== undefined) === (m.count !== undefined && m.count > 1),
    },
  ],
);
export type Migrations = z.output<typeof Migrations>;

/** The schedule in milliseconds into steady state, earliest first, whichever form was used. */
export function migrationOffsetsMs(migrations: Migrations | undefined): number[] {
  if (!migrations) return [];
  if (migrations.offsets) return migrations.offsets.map(durationMs).sort((a, b) => a - b);
  const first = durationMs(migrations.first ?? '0s');
  const spacing = durationMs(migrations.spacing ?? '0s');
  return Array.from({ length: migrations.count ?? 0 }, (_, index) => first + index * spacing);
}
