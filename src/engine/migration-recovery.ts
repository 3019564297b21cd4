// The recovery of each migration of a run, as status carries it: per action how long after the end
// of stop-and-copy its per-second p90 came back near its earlier level and its SLA windows back
// under threshold (src/sla/recovery-time.ts has the measures), and the longest of them. Judged once
// the run's seconds and windows are all in, so status and metrics say the same.
import type { ActionRecovery, MigrationRecovery } from '../api/v1alpha1/index.ts';
import type { SecondSnapshot } from '../recording/index.ts';
import { baselineLevel, perSecondRecovery, RECOVERY_BASELINE_MS, windowedRecovery, type WindowEvaluation } from '../sla/index.ts';
import type { MigrationOutcome } from './migration-worker.ts';
import type { RunAnalysis } from './run-analysis.ts';

export interface RecoveryContext {
  seconds: readonly SecondSnapshot[];
  /** The run's judged SLA windows, ascending. */
  windows: readonly WindowEvaluation[];
  /** The actions to report, and those of them with a threshold (judged by the windows). */
  actions: readonly string[];
  judged: ReadonlySet<string>;
  steadyStartMs: number;
  steadyEndMs: number;
}

/** The recoveries of a run's migrations from its seconds and its analysis (windows, actions and thresholds). */
export function runRecoveries(
  migrations: readonly MigrationOutcome[],
  seconds: readonly SecondSnapshot[],
  analysis: Pick<RunAnalysis, 'windows' | 'actions'>,
  plan: { steadyStartMs: number; steadyEndMs: number },
): Map<number, MigrationRecovery> {
  return migrationRecoveries(migrations, {
    seconds,
    windows: analysis.windows,
    actions: analysis.actions.map((a) => a.action),
    // Without a judged window (steady state shorter than one) there is no windowed measure.
    judged: new Set(analysis.windows.length === 0 ? [] : analysis.actions.filter((a) => a.thresholdSeconds > 0).map((a) => a.action)),
    steadyStartMs: plan.steadyStartMs,
    // A run stopped early has no seconds after the stop: its empty windows must not read as users back.
    steadyEndMs: Math.min(plan.steadyEndMs, lastMeasuredMs(seconds)),
  });
}

/** The end of the last second in which anything completed, epoch ms. */
function lastMeasuredMs(seconds: readonly SecondSnapshot[]): number {
  let last = -Infinity;
  for (const snapshot of seconds) if (Object.keys(snapshot.actions).length > 0) last = Math.max(last, snapshot.second);
  return (last + 1) * 1000;
}

/** Per index, the recovery of each succeeded migration that ended within steady state. */
export function migrationRecoveries(migrations: readonly MigrationOutcome[], context: RecoveryContext): Map<number, MigrationRecovery> {
  const bySecond = new Map(context.seconds.map((snapshot) => [snapshot.second, snapshot]));
  const at = (second: number) => bySecond.get(second);
  const started = migrations.filter((m) => m.startTime !== undefined).sort((a, b) => Date.parse(a.startTime!) - Date.parse(b.startTime!));
  const recoveries = new Map<number, MigrationRecovery>();
  /** Per action, what the previous migration left: its baseline, and when the action was back from it. */
  let previous: Map<string, { baselineMs: number | undefined; backMs: number | undefined }> = new Map();
  started.forEach((migration, position) => {
    const startMs = Date.parse(migration.startTime!);
    const endMs = resumedAt(migration);
    const next = started[position + 1];
    const boundMs = Math.min(next ? Date.parse(next.startTime!) : Infinity, context.steadyEndMs);
    if (migration.state !== 'Succeeded' || endMs === undefined || endMs >= boundMs || startMs < context.steadyStartMs) {
      // Nothing after it to judge (ended after steady state or the next one began), or not a migration users felt.
      previous = new Map();
      return;
    }
    const span = { endMs, boundMs };
    const left = new Map<string, { baselineMs: number | undefined; backMs: number | undefined }>();
    const perAction = context.actions.map((action): ActionRecovery => {
      const before = previous.get(action);
      // Not back from the previous migration before this one began (or not seen since): the level before that one stands.
      const notBack = before !== undefined && before.backMs === undefined;
      const fromMs = Math.max(context.steadyStartMs, startMs - RECOVERY_BASELINE_MS, before?.backMs ?? -Infinity);
      const baselineMs = (notBack ? undefined : baselineLevel(at, action, fromMs, startMs)) ?? before?.baselineMs;
      const perSecond = perSecondRecovery(at, action, span, baselineMs);
      const windowed = context.judged.has(action) ? windowedRecovery(context.windows, action, span) : undefined;
      left.set(action, { baselineMs, backMs: perSecond.state === 'recovered' ? endMs + perSecond.seconds * 1000 : undefined });
      return {
        action,
        ...(baselineMs === undefined ? {} : { baselineSeconds: baselineMs / 1000 }),
        ...(perSecond.state === 'unseen' ? { unseen: true } : {}),
        ...(perSecond.state === 'recovered' ? { seconds: toMs(perSecond.seconds) } : {}),
        ...(windowed?.state === 'recovered' ? { slaSeconds: toMs(windowed.seconds) } : {}),
      };
    });
    previous = left;
    const back = (key: 'seconds' | 'slaSeconds', counted: (a: ActionRecovery) => boolean) => longest(perAction.filter(counted).map((a) => a[key]));
    const seconds = back('seconds', (a) => a.baselineSeconds !== undefined && a.unseen !== true);
    const slaSeconds = back('slaSeconds', (a) => context.judged.has(a.action));
    recoveries.set(migration.index, {
      fromTime: new Date(endMs).toISOString(),
      observedSeconds: toMs((boundMs - endMs) / 1000),
      ...(seconds === undefined ? {} : { seconds }),
      ...(slaSeconds === undefined ? {} : { slaSeconds }),
      perAction,
    });
  });
  return recoveries;
}

/**
 * The end of stop-and-copy: the later of the XAPI task's end and the end of the downtime the
 * clients saw (the VM runs on the destination and answers), epoch ms.
 */
export function resumedAt(migration: Pick<MigrationOutcome, 'endTime' | 'downtimeEndMs'>): number | undefined {
  if (migration.endTime === undefined) return undefined;
  return Math.max(Date.parse(migration.endTime), migration.downtimeEndMs ?? -Infinity);
}

/** Seconds to the millisecond, as fromTime is written. */
function toMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** The longest of values that must all be known: undefined when one is not, or there are none (users seen nowhere are not back). */
function longest(values: readonly (number | undefined)[]): number | undefined {
  if (values.length === 0 || values.some((v) => v === undefined)) return undefined;
  return Math.max(...(values as number[]));
}
