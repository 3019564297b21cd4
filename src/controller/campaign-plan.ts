// Where a campaign stands, from its children: one experiment per level, ONE level at a time (the
// next is created when the previous has finished and the pause between runs has passed), the
// table of the levels reached, and what to do next. Pure: the reconciler gathers the children
// and the campaign's recorded table, this decides.
import {
  levelSettings,
  describeLevel,
  durationMs,
  sweepLevels,
  type SweepPoint,
  levelExperimentName,
  type CampaignLevel,
  type MigrationCampaign,
  type MigrationCampaignStatus,
  type MigrationExperimentStatus,
  type XenPoolStatus,
} from '../api/v1alpha1/index.ts';
import { testbedOnRealPool } from '../xen/index.ts';
import { campaignLevel, recommend, skipped } from '../engine/campaign.ts';
import { experimentConditions } from '../engine/conditions.ts';
import { isTerminal } from './experiment-lifecycle.ts';
import { reportPath } from './reports.ts';

export interface CampaignPlan {
  /** The levels reached so far, in the order they run. */
  levels: CampaignLevel[];
  /** The level whose experiment must exist now, or after `notBeforeMs` (the pause between levels). */
  next?: { settings: SweepPoint; name: string; notBeforeMs: number };
  /** The level running now. */
  running?: SweepPoint;
  done: boolean;
  /** Levels harder than a failing one (in its row) were skipped (stopAfterFailure). */
  stoppedEarly: boolean;
}

/**
 * `children` holds the statuses of the campaign's experiments that exist, by name. A level whose
 * experiment is gone keeps the row the campaign recorded when it finished (a TTL may delete
 * finished experiments); one deleted while it ran counts as Aborted, it is not run again.
 */
export function planCampaign(campaign: MigrationCampaign, children: ReadonlyMap<string, MigrationExperimentStatus | undefined>, nowMs: number): CampaignPlan {
  const recorded = campaign.status?.levels ?? [];
  const pauseMs = durationMs(campaign.spec.template.spec.pauseBetweenRuns);
  const levels: CampaignLevel[] = [];
  let previousEndMs: number | undefined;
  let stoppedEarly = false;
  for (const settings of sweepLevels(campaign.spec.sweep)) {
    if (skipped(campaign, levels, settings)) {
      stoppedEarly = true;
      continue;
    }
    const name = levelExperimentName(campaign.metadata.name, settings);
    const earlier = recorded.find((level) => level.experiment === name);
    let level: CampaignLevel;
    let endMs = nowMs;
    if (children.has(name)) {
      const status = children.get(name);
      level = campaignLevel(campaign, settings, name, status);
      if (status?.completionTime) endMs = Date.parse(status.completionTime);
    } else if (earlier?.phase !== undefined) {
      level = isTerminal(earlier.phase) ? earlier : { ...earlier, phase: 'Aborted', verdict: 'Fail' };
    } else {
      // Not created yet (or created and not seen yet: applying it again changes nothing).
      const notBeforeMs = previousEndMs === undefined ? nowMs : previousEndMs + pauseMs;
      return { levels, next: { settings, name, notBeforeMs }, done: false, stoppedEarly };
    }
    levels.push(level);
    if (!isTerminal(level.phase)) return { levels, running: settings, done: false, stoppedEarly };
    previousEndMs = endMs;
  }
  return { levels, done: true, stoppedEarly };
}

/** The campaign's status for a plan (times kept from `previous` once set). */
export function campaignStatus(campaign: MigrationCampaign, plan: CampaignPlan, previous: MigrationCampaignStatus | undefined, now: Date): MigrationCampaignStatus {
  const finished = plan.levels.filter((level) => isTerminal(level.phase));
  const generation = campaign.metadata.generation;
  const status: MigrationCampaignStatus = {
    phase: 'Pending',
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    completedLevels: finished.length,
    startTime: previous?.startTime ?? now.toISOString(),
    levels: plan.levels,
    ...(finished.length > 0 ? { recommendation: recommend(campaign, finished) } : {}),
    ...(campaign.metadata.namespace ? { reportPath: reportPath('MigrationCampaign', campaign.metadata.namespace, campaign.metadata.name) } : {}),
  };
  let state: Parameters<typeof experimentConditions>[1];
  if (plan.done) {
    const failed = plan.levels.filter((level) => level.phase === 'Failed').map((level) => describeLevel(levelSettings(level)));
    status.phase = failed.length > 0 ? 'Failed' : 'Succeeded';
    status.completionTime = previous?.completionTime ?? now.toISOString();
    state =
      failed.length > 0
        ? { kind: 'failed', reason: 'LevelFailed', message: `the experiments at ${failed.join(', ')} failed; see their status` }
        : { kind: 'succeeded', reason: 'Succeeded', message: `${status.recommendation?.message ?? 'no level ran'}${plan.stoppedEarly ? ' (levels harder than a failing one skipped)' : ''}` };
  } else {
    const current = plan.running ?? plan.next?.settings;
    status.phase = plan.levels.length === 0 && plan.running === undefined ? 'Pending' : 'Running';
    const waiting = plan.next && plan.next.notBeforeMs > now.getTime() ? ` (starts after the pause between levels)` : '';
    state = { kind: 'progressing', reason: 'Running', message: `level ${finished.length + 1} of ${sweepLevels(campaign.spec.sweep).length}: ${current ? describeLevel(current) : '?'}${waiting}` };
  }
  status.conditions = experimentConditions(previous?.conditions, { ...state, generation }, now);
  return status;
}

/**
 * Why the campaign cannot run on its pool, or undefined: the testbed's model inputs
 * (sweep.vmMemory / linkBandwidth, template.spec.testbed) on a XenPool whose status says it is a
 * real pool. A pool not probed yet (simulated unknown) is left to each level's own check.
 */
export function testbedInputsRefusal(campaign: MigrationCampaign, pool: { spec?: unknown; status?: unknown } | undefined): string | undefined {
  const { sweep, template } = campaign.spec;
  if (sweep.vmMemory === undefined && sweep.linkBandwidth === undefined && template.spec.testbed === undefined) return undefined;
  if ((pool?.status as XenPoolStatus | undefined)?.simulated !== false) return undefined;
  return testbedOnRealPool((pool?.spec as { url?: string } | undefined)?.url ?? template.spec.poolRef.name);
}
