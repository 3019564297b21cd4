// The profile an experiment runs, resolved once when it starts: the built-in olio profile or a
// WorkloadProfile of its namespace, its parameters overridden by the experiment's, and a threshold
// for each of its actions. The result travels whole (the checkpoint in Redis, the load jobs), so a
// profile edited or deleted during the run changes nothing in it, and workers never read the
// Kubernetes API.
import {
  CLOUDSTONE_THRESHOLDS,
  compileWorkloadProfile,
  judgedThresholds,
  parseWorkloadProfile,
  profileDocumentOf,
  type MigrationExperimentSpec,
} from '../api/v1alpha1/index.ts';
import { InvalidInputError } from '../invalid/index.ts';
import { loadProfile, type ProfileDocument } from '../workloads/index.ts';

/** A WorkloadProfile object by namespace and name (from an informer's cache, or a run file). */
export type ProfileLookup = (namespace: string, name: string) => unknown;

export interface ResolvedProfile {
  source: { kind: 'BuiltIn' | 'WorkloadProfile'; name: string; generation?: number; uid?: string };
  /** The judged actions, in the profile's order. */
  actions: string[];
  /** What load jobs carry: a built-in profile's name, or the WorkloadProfile's document. */
  profile: string | ProfileDocument;
  params: Record<string, string | number>;
  /** One per action. */
  thresholds: Record<string, string>;
}

export type ProfileProblemReason = 'ProfileNotFound' | 'InvalidProfile' | 'InvalidSpec';

/** Why an experiment cannot start with its profile; `field` is where the person goes to fix it. */
export class ProfileProblem extends InvalidInputError {
  readonly reason: ProfileProblemReason;
  constructor(reason: ProfileProblemReason, field: string, message: string) {
    super(field, message);
    this.name = 'ProfileProblem';
    this.reason = reason;
  }
}

type WorkloadSpec = Pick<MigrationExperimentSpec, 'workload' | 'sla'>;

/**
 * Resolves the profile of `spec` (an experiment's, or a campaign template's with root
 * `spec.template.spec`). Throws ProfileProblem naming the field to fix.
 */
export function resolveProfile(spec: WorkloadSpec, namespace: string, lookup: ProfileLookup | undefined, root = 'spec'): ResolvedProfile {
  const params = spec.workload.params ?? {};
  const ref = spec.workload.profileRef;
  if (!ref) {
    const name = spec.workload.profile ?? 'olio';
    const profile = asSpecProblem(() => loadProfile(name, params), (field) => `${root}.workload.${field}`);
    const actions = profile.actions.map((action) => action.name);
    const thresholds = asSpecProblem(() => judgedThresholds(spec.sla, actions, `the ${name} profile`, CLOUDSTONE_THRESHOLDS, `${root}.sla`));
    return { source: { kind: 'BuiltIn', name }, actions, profile: name, params, thresholds };
  }

  const field = `${root}.workload.profileRef.name`;
  const object = lookup?.(namespace, ref.name);
  if (object === undefined) {
    throw new ProfileProblem('ProfileNotFound', field, `no WorkloadProfile "${ref.name}" in namespace ${namespace}: create it or correct the name`);
  }
  let resource;
  try {
    resource = parseWorkloadProfile(object);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new ProfileProblem('InvalidProfile', field, `WorkloadProfile "${ref.name}" is invalid: ${error.message}`);
  }
  const profile = asSpecProblem(() => compileWorkloadProfile(resource, params, `${root}.workload.params`));
  const actions = profile.actions.map((action) => action.name);
  const thresholds = asSpecProblem(() => judgedThresholds(spec.sla, actions, `WorkloadProfile ${ref.name}`, {}, `${root}.sla`));
  const { generation, uid } = resource.metadata;
  return {
    source: { kind: 'WorkloadProfile', name: ref.name, ...(generation === undefined ? {} : { generation }), ...(uid === undefined ? {} : { uid }) },
    actions,
    profile: profileDocumentOf(resource),
    params,
    thresholds,
  };
}

/** The spec the runs use: the SLA judging exactly the profile's actions. */
export function withJudgedThresholds<S extends WorkloadSpec>(spec: S, resolved: ResolvedProfile): S {
  return { ...spec, sla: { ...spec.sla, thresholds: resolved.thresholds } };
}

/** A refusal of the experiment's own fields (parameters, thresholds), as a ProfileProblem. */
function asSpecProblem<T>(work: () => T, fieldOf: (field: string) => string = (field) => field): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ProfileProblem || !(error instanceof InvalidInputError)) throw error;
    const field = error.field.startsWith('spec.') ? error.field : fieldOf(error.field);
    throw new ProfileProblem('InvalidSpec', field, error.detail);
  }
}
