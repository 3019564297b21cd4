// Where things happened on a run's time axis (seconds from the run's start): the three stages,
// and for each migration its pre-copy (from VM.pool_migrate to the downtime) and its
// stop-and-copy (the downtime the clients saw), as the study's Figures 2 and 3 mark them.
import type { MigrationInstants, RunTimetable } from './input.ts';

export type StageName = 'rampUp' | 'steadyState' | 'rampDown';

export interface Span {
  from: number;
  to: number;
}

export interface Stage extends Span {
  stage: StageName;
}

export interface MigrationSpan extends Span {
  /** preCopy and stopAndCopy when the downtime was seen; migration when only start and end are known. */
  kind: 'preCopy' | 'stopAndCopy' | 'migration';
  index: number;
}

export function stages(plan: RunTimetable): Stage[] {
  const at = (ms: number) => (ms - plan.startAtMs) / 1000;
  return [
    { stage: 'rampUp' as const, from: 0, to: at(plan.steadyStartMs) },
    { stage: 'steadyState' as const, from: at(plan.steadyStartMs), to: at(plan.steadyEndMs) },
    { stage: 'rampDown' as const, from: at(plan.steadyEndMs), to: at(plan.endMs) },
  ].filter((stage) => stage.to > stage.from);
}

export function migrationSpans(plan: RunTimetable, migrations: readonly MigrationInstants[]): MigrationSpan[] {
  const at = (ms: number) => (ms - plan.startAtMs) / 1000;
  const spans: MigrationSpan[] = [];
  for (const migration of migrations) {
    const { index, startMs, downtimeStartMs } = migration;
    const endMs = migration.endMs ?? (startMs !== undefined && migration.durationSeconds !== undefined ? startMs + migration.durationSeconds * 1000 : undefined);
    const downtimeEndMs =
      migration.downtimeEndMs ?? (downtimeStartMs !== undefined && migration.downtimeSeconds !== undefined ? downtimeStartMs + migration.downtimeSeconds * 1000 : undefined);
    if (downtimeStartMs !== undefined) {
      if (startMs !== undefined && downtimeStartMs > startMs) spans.push({ kind: 'preCopy', index, from: at(startMs), to: at(downtimeStartMs) });
      const to = downtimeEndMs ?? endMs;
      if (to !== undefined && to > downtimeStartMs) spans.push({ kind: 'stopAndCopy', index, from: at(downtimeStartMs), to: at(to) });
    } else if (startMs !== undefined && endMs !== undefined && endMs > startMs) {
      spans.push({ kind: 'migration', index, from: at(startMs), to: at(endMs) });
    }
  }
  return spans;
}
