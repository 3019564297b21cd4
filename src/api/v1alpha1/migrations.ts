// When the VM is live-migrated during steady state, and where to. The schedule is either a list of
// offsets, or count + first + spacing; offsets count from the start of steady state. At each
// offset one VM migrates (target.vm), or several (vms): one after another, or all at once.

import { z } from 'zod';
import { Duration, PositiveDuration, boundedDuration, durationMs } from './duration.ts';
import { VmSelector } from './references.ts';
import { withRules } from './rules.ts';

export const DESTINATION_POLICIES = ['host', 'roundRobin', 'mostFreeMemory'] as const;
export const MAX_MIGRATIONS = 32;
export const MAX_MIGRATED_VMS = 8;
/** The most migrations a run records (offsets x VMs), as RunResult.migrations holds them. */
export const MAX_RUN_MIGRATIONS = 64;

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
    vms: z
      .array(VmSelector)
      .min(1)
      .max(MAX_MIGRATED_VMS)
      .optional()
      .describe('The VMs each scheduled migration moves, e.g. the web and the db VM; default: target.vm alone. Each is recorded as a migration of its own.'),
    mode: z
      .enum(['sequence', 'together'])
      .optional()
      .describe("With vms: sequence (default) migrates them in the listed order, each when the previous one ended; together starts them all at the offset (a host's evacuation), sharing the links."),
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
    {
      rule: '!has(self.mode) || has(self.vms)',
      message: 'mode goes with vms: list the VMs to migrate in sequence or together',
      field: ['mode'],
      holds: (m) => m.mode === undefined || m.vms !== undefined,
    },
    {
      rule: `!has(self.vms) || size(self.vms) * (has(self.offsets) ? size(self.offsets) : has(self.count) ? self.count : 1) <= ${MAX_RUN_MIGRATIONS}`,
      message: `a run records at most ${MAX_RUN_MIGRATIONS} migrations: the offsets (or count) times the vms must not exceed it`,
      field: ['vms'],
      holds: (m) => (m.vms?.length ?? 1) * (m.offsets?.length ?? m.count ?? 1) <= MAX_RUN_MIGRATIONS,
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

/** How a spec names a VM to XAPI: its uuid, else its name label. */
export function vmIdentifier(vm: VmSelector): string {
  return vm.uuid ?? vm.nameLabel ?? '';
}

export interface ScheduledMigration {
  offsetMs: number;
  /** The VM as the spec names it (vmIdentifier). */
  vm: string;
  /** In sequence: the 1-based index of the migration that must end before this one starts. */
  after?: number;
}

/**
 * Every migration of a run, earliest offset first: at each offset, each VM of `vms` (or `target`
 * alone) in the listed order; index i + 1 is the migration's place in this list.
 */
export function scheduledMigrations(migrations: Migrations | undefined, target: VmSelector): ScheduledMigration[] {
  const vms = (migrations?.vms ?? [target]).map(vmIdentifier);
  const together = migrations?.mode === 'together';
  return migrationOffsetsMs(migrations).flatMap((offsetMs, slot) =>
    vms.map((vm, i) => ({ offsetMs, vm, ...(i > 0 && !together ? { after: slot * vms.length + i } : {}) })),
  );
}
