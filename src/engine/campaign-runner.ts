// A campaign run without Kubernetes: each level's experiment in turn (easiest first, skipping the
// harder levels of a row after a failure when stopAfterFailure), through the same engine, and
// the table and recommendation after each level (so a person watching sees them fill in).
import {
  describeLevel,
  levelExperiment,
  levelSettings,
  levelSuffix,
  sweepLevels,
  type MigrationCampaign,
  type MigrationCampaignStatus,
  type MigrationExperiment,
  type MigrationExperimentStatus,
  type SweepPoint,
} from '../api/v1alpha1/index.ts';
import type { ExperimentRef } from '../queue/contracts.ts';
import { campaignLevel, recommend, skipped } from './campaign.ts';
import { experimentConditions } from './conditions.ts';
import { ExperimentRunner, type EngineDeps, type ExperimentObserver } from './experiment-runner.ts';

export interface CampaignObserver {
  onStatus?(status: MigrationCampaignStatus): void | Promise<void>;
  /** Observers for each level's experiment (progress, events, the report's seconds). */
  experiment?(settings: SweepPoint, experiment: MigrationExperiment): ExperimentObserver;
}

export async function runCampaign(campaign: MigrationCampaign, uid: string, deps: EngineDeps, observer: CampaignObserver = {}, signal?: AbortSignal): Promise<MigrationCampaignStatus> {
  const namespace = campaign.metadata.namespace ?? 'default';
  let status: MigrationCampaignStatus = { phase: 'Running', startTime: new Date().toISOString(), completedLevels: 0, levels: [] };
  const publish = async (kind: 'progressing' | 'succeeded' | 'failed' | 'aborted', reason: string, message: string): Promise<void> => {
    status = { ...status, conditions: experimentConditions(status.conditions, { kind, reason, message, generation: campaign.metadata.generation }) };
    await observer.onStatus?.(status);
  };
  await publish('progressing', 'Running', 'running the first level');
  let stoppedEarly = false;
  for (const settings of sweepLevels(campaign.spec.sweep)) {
    if (signal?.aborted) break;
    if (skipped(campaign, status.levels ?? [], settings)) {
      stoppedEarly = true;
      continue;
    }
    const experiment = levelExperiment(campaign, settings);
    const ref: ExperimentRef = { uid: `${uid}-${levelSuffix(settings)}`, namespace, name: experiment.metadata.name };
    const runner = new ExperimentRunner(experiment, ref, deps, observer.experiment?.(settings, experiment) ?? {});
    const result: MigrationExperimentStatus = await runner.run(signal);
    const level = campaignLevel(campaign, settings, experiment.metadata.name, result);
    const table = [...(status.levels ?? []), level];
    status = { ...status, levels: table, completedLevels: table.length, recommendation: recommend(campaign, table) };
    await publish('progressing', 'Running', `level ${describeLevel(settings)}: ${level.verdict ?? 'no verdict'}`);
  }
  status = { ...status, completionTime: new Date().toISOString() };
  if (signal?.aborted) {
    status = { ...status, phase: 'Aborted' };
    await publish('aborted', 'Stopped', `stopped after ${status.completedLevels} level(s)`);
  } else if ((status.levels ?? []).some((level) => level.phase === 'Failed')) {
    status = { ...status, phase: 'Failed' };
    const failed = (status.levels ?? []).filter((level) => level.phase === 'Failed').map((level) => describeLevel(levelSettings(level)));
    await publish('failed', 'LevelFailed', `the experiments at ${failed.join(', ')} failed; see their status`);
  } else {
    status = { ...status, phase: 'Succeeded' };
    await publish('succeeded', 'Succeeded', `${status.recommendation?.message ?? ''}${stoppedEarly ? ' (levels harder than a failing one skipped)' : ''}`);
  }
  return status;
}
