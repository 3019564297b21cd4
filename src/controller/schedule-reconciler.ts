// MigrationSchedule: starts a MigrationCampaign at each occurrence of its cron expression. The
// story: fetch -> parse (a cron expression CEL cannot check is refused here, Stalled) -> read its
// campaigns from the cache -> plan (schedule-plan.ts, a pure function of the clock) -> delete what
// is replaced or beyond the history limits -> create the occurrence's campaign by server-side
// apply (a deterministic name: asking twice asks for the same object) -> write status and Events
// -> wake up at the next occurrence.
import { isDeepStrictEqual } from 'node:util';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import {
  SCHEDULED_TIME_ANNOTATION,
  parseSchedule,
  scheduledCampaign,
  setCondition,
  setKstatusConditions,
  type CampaignPhase,
  type MigrationCampaignStatus,
  type MigrationSchedule,
  type MigrationScheduleStatus,
} from '../api/v1alpha1/index.ts';
import { InvalidInputError } from '../invalid/index.ts';
import type { Logger } from '../log/index.ts';
import { FIELD_MANAGER } from './campaign-reconciler.ts';
import type { ObjectCache } from './informer-set.ts';
import { mergePatchOf } from './status-publisher.ts';
import { subjectOf, targetOf, type StoredObject } from './resources.ts';
import { applyObject, isNotFound, KubeClient, objectPath, patchStatus, type EventRecorder, type ObjectKey, type ReconcileResult, type Reconciler } from './runtime/index.ts';
import { planSchedule, type ChildCampaign } from './schedule-plan.ts';

export interface ScheduleReconcilerOptions {
  kubeConfig: KubeConfig;
  schedules: ObjectCache;
  campaigns: ObjectCache;
  events: EventRecorder;
  log: Logger;
  /** The time, in ms since the epoch (tests move it instead of waiting for minutes). */
  now?: () => number;
}

export class ScheduleReconciler implements Reconciler {
  readonly #options: ScheduleReconcilerOptions;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(options: ScheduleReconcilerOptions) {
    this.#options = options;
    this.#log = options.log.child({ reconciler: 'migrationschedule' });
    this.#now = options.now ?? Date.now;
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    const object = this.#options.schedules.get(key.namespace, key.name);
    if (!object?.metadata?.uid || object.metadata.deletionTimestamp !== undefined) return;
    const generation = object.metadata.generation ?? 0;
    const previous = (object.status ?? {}) as MigrationScheduleStatus;
    let schedule: MigrationSchedule;
    try {
      schedule = parseSchedule(object);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      await this.#write(key, previous, stalled(previous, generation, error.message));
      return;
    }
    const nowMs = this.#now();
    const created = object.metadata.creationTimestamp;
    const createdMs = created === undefined ? nowMs : new Date(created).getTime();
    const plan = planSchedule(schedule, this.#children(schedule), nowMs, createdMs);
    for (const name of plan.remove) await this.#delete(key.namespace, name);
    if (plan.start) {
      const campaign = scheduledCampaign(schedule, plan.start.scheduledMs);
      await applyObject(this.#options.kubeConfig, campaign as unknown as KubernetesObject, FIELD_MANAGER, { force: true });
    }
    for (const event of plan.events) {
      await this.#options.events.record(subjectOf('MigrationSchedule', schedule.metadata), event.type, event.reason, event.message);
    }
    await this.#write(key, previous, current(plan.status, generation, schedule, new Date(nowMs)));
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }

  /** This schedule's campaigns (controlled by its uid), as the planner reads them. */
  #children(schedule: MigrationSchedule): ChildCampaign[] {
    const children: ChildCampaign[] = [];
    for (const campaign of this.#options.campaigns.list()) {
      const owned = campaign.metadata?.ownerReferences?.some((owner) => owner.uid === schedule.metadata.uid && owner.controller === true);
      const name = campaign.metadata?.name;
      const scheduled = Date.parse(campaign.metadata?.annotations?.[SCHEDULED_TIME_ANNOTATION] ?? '');
      if (!owned || campaign.metadata?.namespace !== schedule.metadata.namespace || !name || Number.isNaN(scheduled)) continue;
      children.push(childOf(name, scheduled, campaign));
    }
    return children;
  }

  async #delete(namespace: string, name: string): Promise<void> {
    // Background propagation: the campaign goes now, its experiments after it (their owner reference).
    const path = objectPath(targetOf('MigrationCampaign', namespace, name));
    try {
      await KubeClient.for(this.#options.kubeConfig).request('DELETE', path, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async #write(key: ObjectKey, previous: MigrationScheduleStatus, next: MigrationScheduleStatus): Promise<void> {
    if (isDeepStrictEqual(previous, next)) return;
    await patchStatus(this.#options.kubeConfig, targetOf('MigrationSchedule', key.namespace, key.name), mergePatchOf(previous, next));
    this.#log.debug({ schedule: `${key.namespace}/${key.name}`, next: next.nextScheduleTime, active: next.active?.length }, 'status written');
  }
}

function childOf(name: string, scheduledMs: number, campaign: StoredObject): ChildCampaign {
  const status = (campaign.status ?? {}) as MigrationCampaignStatus;
  const completion = status.completionTime === undefined ? undefined : Date.parse(status.completionTime);
  return {
    name,
    scheduledMs,
    phase: status.phase as CampaignPhase | undefined,
    completionMs: completion,
    recommendedUsers: status.recommendation?.users,
    message: status.recommendation?.message,
  };
}

/** Ready while it keeps time; kstatus reads it as Current once this generation is observed. */
function current(status: MigrationScheduleStatus, generation: number, schedule: MigrationSchedule, now: Date): MigrationScheduleStatus {
  const ready = schedule.spec.suspend
    ? { status: 'True' as const, reason: 'Suspended', message: 'suspended: no campaign starts until spec.suspend is false' }
    : { status: 'True' as const, reason: 'Scheduled', message: `next campaign at ${status.nextScheduleTime ?? 'no further occurrence'}` };
  const conditions = setKstatusConditions(setCondition(status.conditions, { type: 'Ready', ...ready, observedGeneration: generation }, now), { kind: 'current' }, generation, now);
  return { ...status, observedGeneration: generation, conditions };
}

/** A spec only the controller can refuse (a cron expression): Stalled, so kstatus says Failed. */
function stalled(status: MigrationScheduleStatus, generation: number, message: string): MigrationScheduleStatus {
  const now = new Date();
  const ready = setCondition(status.conditions, { type: 'Ready', status: 'False', reason: 'InvalidSpec', message, observedGeneration: generation }, now);
  const conditions = setKstatusConditions(ready, { kind: 'stalled', reason: 'InvalidSpec', message }, generation, now);
  return { ...status, observedGeneration: generation, conditions };
}

/** The schedule a campaign belongs to (its controlling owner), for the watch. */
export function owningSchedule(campaign: StoredObject): ObjectKey[] {
  const owner = campaign.metadata?.ownerReferences?.find((ref) => ref.kind === 'MigrationSchedule' && ref.controller === true);
  const namespace = campaign.metadata?.namespace;
  return owner && namespace ? [{ namespace, name: owner.name }] : [];
}
