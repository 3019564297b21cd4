// Where things happened on a run's time axis (seconds from the run's start): the three stages,
// and for each migration its pre-copy (from VM.pool_migrate to the downtime) and its
// stop-and-copy (the downtime the clients saw), as the study's Figures 2 and 3 mark them; and per
// action, how long after each stop-and-copy its users felt the migration (status recovery).
import type { MigrationResult } from '../api/v1alpha1/index.ts';
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

export interface RecoverySpan extends Span {
  index: number;
  /** The action's p90 was back at `to`; else `to` is as far as it was watched (it was not back). */
  back: boolean;
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

/**
 * For `action`, from the end of each migration's stop-and-copy until its p90 was back to its
 * pre-migration level, or as long as it was watched when it was not back. Left out where nothing
 * was measured: no recovery in status, no baseline for the action, or the action unseen after.
 */
export function recoverySpans(plan: RunTimetable, migrations: readonly Pick<MigrationResult, 'index' | 'recovery'>[], action: string): RecoverySpan[] {
  const spans: RecoverySpan[] = [];
  for (const { index, recovery } of migrations) {
    const measured = recovery?.perAction.find((entry) => entry.action === action);
    if (!recovery || !measured || measured.unseen || measured.baselineSeconds === undefined) continue;
    const from = (Date.parse(recovery.fromTime) - plan.startAtMs) / 1000;
    const back = measured.seconds !== undefined;
    spans.push({ index, from, to: from + (measured.seconds ?? recovery.observedSeconds), back });
  }
  return spans;
}
