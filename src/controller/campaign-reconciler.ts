// MigrationCampaign: its levels run as child MigrationExperiments, created by server-side apply
// with owner references and deterministic names (`<campaign>-<users>u`, so a GitOps tool sees a
// stable tree and a restarted controller finds them), one level at a time; the table of levels x
// actions and the recommendation are read back from the children's statuses. The story:
//   fetch (gone = done; the children go with it through their owner reference) -> parse
//   -> the spec it started with (a change while it runs is refused, as for experiments)
//   -> refuse the testbed's model inputs on a real pool -> plan from the children
//   -> create the next level's experiment when its time has come
//   -> write status and record what changed as Events.
import { isDeepStrictEqual } from 'node:util';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import {
  CAMPAIGN_LABEL,
  describeLevel,
  levelSettings,
  findCondition,
  levelExperiment,
  parseCampaign,
  type MigrationCampaign,
  type MigrationCampaignSpec,
  type MigrationCampaignStatus,
  type MigrationExperimentStatus,
  type SweepPoint,
} from '../api/v1alpha1/index.ts';
import { experimentConditions } from '../engine/conditions.ts';
import { InvalidInputError } from '../invalid/index.ts';
import type { Logger } from '../log/index.ts';
import { campaignStatus, planCampaign, testbedInputsRefusal, type CampaignPlan } from './campaign-plan.ts';
import { SPEC_CHANGED_CONDITION, isTerminal, specChangeCondition, withSpecChange } from './experiment-lifecycle.ts';
import { mergePatchOf } from './status-publisher.ts';
import type { StartedSpecs } from './started-spec.ts';
import type { ObjectCache } from './informer-set.ts';
import { subjectOf, targetOf, type StoredObject } from './resources.ts';
import { applyObject, patchStatus, type EventRecorder, type EventType, type ObjectKey, type ReconcileResult, type Reconciler } from './runtime/index.ts';

export const FIELD_MANAGER = 'migrascope-controller';

export interface CampaignReconcilerOptions {
  kubeConfig: KubeConfig;
  campaigns: ObjectCache;
  experiments: ObjectCache;
  /** The XenPools, to refuse the testbed's model inputs on a pool whose status says it is real. */
  pools?: ObjectCache;
  startedSpecs: StartedSpecs;
  events: EventRecorder;
  log: Logger;
  /** Writes a finished campaign's results file (results-archive.ts); a failure is retried with backoff. */
  keepResults?: ((object: StoredObject) => Promise<void>) | undefined;
}

export class CampaignReconciler implements Reconciler {
  readonly #options: CampaignReconcilerOptions;
  readonly #log: Logger;

  constructor(options: CampaignReconcilerOptions) {
    this.#options = options;
    this.#log = options.log.child({ reconciler: 'migrationcampaign' });
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    const object = this.#options.campaigns.get(key.namespace, key.name);
    if (!object?.metadata?.uid || object.metadata.deletionTimestamp !== undefined) return;
    const uid = object.metadata.uid;
    let current: MigrationCampaign;
    try {
      current = parseCampaign(object);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      const status = (object.status ?? {}) as MigrationCampaignStatus;
      const conditions = experimentConditions(status.conditions, { kind: 'failed', reason: 'InvalidSpec', message: error.message, generation: object.metadata.generation });
      await this.#write(key, status, { ...status, conditions });
      return;
    }
    const previous = current.status;
    const generation = current.metadata.generation ?? 0;
    if (isTerminal(previous?.phase)) {
      await this.#finished(current, key);
      // Its results and its levels' before anything deletes them; kept once per finish.
      await this.#options.keepResults?.(object);
      return;
    }

    // The levels are planned from the spec the campaign started with.
    const started = await this.#options.startedSpecs.claim<MigrationCampaignSpec>('campaign', uid, { generation, spec: current.spec });
    const campaign: MigrationCampaign = { ...current, metadata: { ...current.metadata, generation: started.generation }, spec: started.spec };
    const refusal = plannedLevelsAbsent(previous) ? this.#realPoolRefusal(campaign) : undefined;
    if (refusal) return this.#refuse(key, campaign, previous, refusal);
    const plan = planCampaign(campaign, this.#children(campaign), Date.now());
    let requeueAfterMs: number | undefined;
    if (plan.next) {
      const wait = plan.next.notBeforeMs - Date.now();
      if (wait > 0) requeueAfterMs = wait;
      else await this.#createLevel(campaign, plan.next.settings, previous);
    }

    const refused = specChangeCondition(generation, started.generation, previous?.phase, 'campaign');
    let status = campaignStatus(campaign, plan, previous, new Date());
    if (refused) status = { ...status, observedGeneration: generation, conditions: withSpecChange(status.conditions, refused) };
    await this.#write(key, previous, status);
    await this.#recordChanges(current, previous, status, plan, refused && findCondition(previous?.conditions, SPEC_CHANGED_CONDITION)?.observedGeneration !== generation ? refused.message : undefined);
    if (plan.done) await this.#options.startedSpecs.forget('campaign', uid);
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  /**
   * The testbed's model inputs (sweep.vmMemory / linkBandwidth, template.spec.testbed) on a pool
   * whose status says it is a real one: refused before any level, with what to do instead. A pool
   * not probed yet is left to each level's own check before it runs.
   */
  #realPoolRefusal(campaign: MigrationCampaign): string | undefined {
    return testbedInputsRefusal(campaign, this.#options.pools?.get(campaign.metadata.namespace ?? '', campaign.spec.template.spec.poolRef.name));
  }

  async #refuse(key: ObjectKey, campaign: MigrationCampaign, previous: MigrationCampaignStatus | undefined, message: string): Promise<void> {
    const now = new Date().toISOString();
    const generation = campaign.metadata.generation;
    const status: MigrationCampaignStatus = {
      ...previous,
      phase: 'Failed',
      ...(generation === undefined ? {} : { observedGeneration: generation }),
      startTime: previous?.startTime ?? now,
      completionTime: now,
      conditions: experimentConditions(previous?.conditions, { kind: 'failed', reason: 'NotSettableOnRealPool', message, generation }),
    };
    await this.#write(key, previous, status);
    await this.#event(campaign, 'Warning', 'NotSettableOnRealPool', message);
    await this.#options.startedSpecs.forget('campaign', campaign.metadata.uid ?? '');
  }

  /** The statuses of this campaign's experiments that exist, by name. */
  #children(campaign: MigrationCampaign): Map<string, MigrationExperimentStatus | undefined> {
    const children = new Map<string, MigrationExperimentStatus | undefined>();
    for (const child of this.#options.experiments.list()) {
      const owned = child.metadata?.ownerReferences?.some((owner) => owner.uid === campaign.metadata.uid && owner.controller === true);
      const name = child.metadata?.name;
      if (!owned || child.metadata?.namespace !== campaign.metadata.namespace || !name) continue;
      children.set(name, child.status as MigrationExperimentStatus | undefined);
    }
    return children;
  }

  async #createLevel(campaign: MigrationCampaign, settings: SweepPoint, previous: MigrationCampaignStatus | undefined): Promise<void> {
    const child = levelExperiment(campaign, settings);
    await applyObject(this.#options.kubeConfig, child as unknown as KubernetesObject, FIELD_MANAGER, { force: true });
    if (!previous?.levels?.some((level) => level.experiment === child.metadata.name)) {
      await this.#event(campaign, 'Normal', 'LevelStarted', `created MigrationExperiment ${child.metadata.name} for ${describeLevel(settings)}`);
    }
  }

  /** A finished campaign runs nothing more; a spec changed afterwards is refused, visibly. */
  async #finished(campaign: MigrationCampaign, key: ObjectKey): Promise<void> {
    const generation = campaign.metadata.generation ?? 0;
    const status = campaign.status ?? {};
    const ranWith = findCondition(status.conditions, 'Ready')?.observedGeneration ?? generation;
    const refused = specChangeCondition(generation, ranWith, status.phase, 'campaign');
    if (!refused || findCondition(status.conditions, SPEC_CHANGED_CONDITION)?.observedGeneration === generation) return;
    await this.#write(key, status, { ...status, observedGeneration: generation, conditions: withSpecChange(status.conditions, refused) });
    await this.#event(campaign, 'Warning', refused.reason, refused.message);
  }

  async #recordChanges(campaign: MigrationCampaign, previous: MigrationCampaignStatus | undefined, next: MigrationCampaignStatus, plan: CampaignPlan, refusal: string | undefined): Promise<void> {
    if (refusal) await this.#event(campaign, 'Warning', 'SpecChangedWhileRunning', refusal);
    for (const level of plan.levels) {
      const before = previous?.levels?.find((l) => l.experiment === level.experiment);
      if (isTerminal(level.phase) && !isTerminal(before?.phase)) {
        const type: EventType = level.verdict === 'Pass' ? 'Normal' : 'Warning';
        await this.#event(campaign, type, 'LevelFinished', `${describeLevel(levelSettings(level))}: ${level.phase}, SLA p${campaign.spec.judgePercentile} ${level.verdict === 'Pass' ? 'kept' : 'broken'} (${level.experiment})`);
      }
    }
    if (next.phase !== previous?.phase && isTerminal(next.phase)) {
      const ready = findCondition(next.conditions, next.phase === 'Succeeded' ? 'Ready' : 'Degraded');
      await this.#event(campaign, next.phase === 'Succeeded' ? 'Normal' : 'Warning', next.phase ?? 'Finished', ready?.message ?? '');
    }
  }

  async #write(key: ObjectKey, previous: MigrationCampaignStatus | undefined, next: MigrationCampaignStatus): Promise<void> {
    if (isDeepStrictEqual(previous, next)) return;
    await patchStatus(this.#options.kubeConfig, targetOf('MigrationCampaign', key.namespace, key.name), mergePatchOf(previous, next));
    this.#log.debug({ campaign: `${key.namespace}/${key.name}`, phase: next.phase, levels: next.completedLevels }, 'status written');
  }

  async #event(campaign: MigrationCampaign, type: EventType, reason: string, message: string): Promise<void> {
    await this.#options.events.record(subjectOf('MigrationCampaign', campaign.metadata), type, reason, message);
  }
}

/** No level has been created yet: the moment to refuse a campaign as a whole. */
function plannedLevelsAbsent(status: MigrationCampaignStatus | undefined): boolean {
  return (status?.levels ?? []).length === 0;
}

/** The campaign a child experiment belongs to (its controlling owner), for the watch. */
export function owningCampaign(child: StoredObject): ObjectKey[] {
  const owner = child.metadata?.ownerReferences?.find((ref) => ref.kind === 'MigrationCampaign' && ref.controller === true);
  const namespace = child.metadata?.namespace;
  if (owner && namespace) return [{ namespace, name: owner.name }];
  const label = child.metadata?.labels?.[CAMPAIGN_LABEL];
  return label && namespace ? [{ namespace, name: label }] : [];
}
