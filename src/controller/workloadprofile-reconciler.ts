// WorkloadProfile: compile the profile as the load workers will, and say in its status whether it
// can be used: Ready with its actions and how users move between them, or InvalidProfile naming the
// field the API server could not check (a regex, a template, a variable nobody sets). Nothing to
// run and nothing to clean up: experiments read the profile when they start.
import type { KubeConfig } from '@kubernetes/client-node';
import { chainOf, parseWorkloadProfile, type WorkloadProfileStatus } from '../api/v1alpha1/index.ts';
import { InvalidInputError } from '../invalid/index.ts';
import type { Logger } from '../log/index.ts';
import type { ObjectCache } from './informer-set.ts';
import { profileConditions } from './resource-conditions.ts';
import { subjectOf, targetOf } from './resources.ts';
import { mergePatchOf } from './status-publisher.ts';
import { patchStatus, type EventRecorder, type ObjectKey, type Reconciler } from './runtime/index.ts';

export interface WorkloadProfileReconcilerOptions {
  kubeConfig: KubeConfig;
  profiles: ObjectCache;
  events: EventRecorder;
  log: Logger;
}

export class WorkloadProfileReconciler implements Reconciler {
  readonly #options: WorkloadProfileReconcilerOptions;

  constructor(options: WorkloadProfileReconcilerOptions) {
    this.#options = options;
  }

  async reconcile(key: ObjectKey): Promise<void> {
    const object = this.#options.profiles.get(key.namespace, key.name);
    if (!object?.metadata) return; // deleted: experiments that started with it keep their copy
    const previous = (object.status ?? {}) as WorkloadProfileStatus;
    const generation = object.metadata.generation;
    const observed = generation === undefined ? {} : { observedGeneration: generation };
    let status: WorkloadProfileStatus;
    try {
      const profile = parseWorkloadProfile(object);
      const actions = profile.spec.actions.map((action) => action.name);
      const message = `${actions.length} action(s): ${actions.join(', ')}`;
      status = { ...observed, actions, chain: chainOf(profile.spec), conditions: profileConditions(previous.conditions, true, 'Compiled', message, generation) };
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      status = { ...observed, conditions: profileConditions(previous.conditions, false, 'InvalidProfile', error.message, generation) };
      const before = previous.conditions?.find((c) => c.type === 'Ready');
      if (before?.message !== error.message) {
        this.#options.log.info({ profile: `${key.namespace}/${key.name}`, field: error.field }, error.message);
        await this.#options.events.record(subjectOf('WorkloadProfile', { ...object.metadata, name: key.name, namespace: key.namespace }), 'Warning', 'InvalidProfile', error.message);
      }
    }
    if (JSON.stringify(status) === JSON.stringify(previous)) return;
    // A profile that became invalid loses its actions: the merge patch clears what the status no longer has.
    const patch = mergePatchOf(previous, status);
    await patchStatus(this.#options.kubeConfig, targetOf('WorkloadProfile', key.namespace, key.name), patch);
  }
}
