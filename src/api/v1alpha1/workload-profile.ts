// WorkloadProfile: the users of an application, as a resource. Its spec is the profile format of
// docs/workload.md (src/workloads/profile-schema.ts is the one schema of both), less the name,
// which is the object's. The API server refuses what its schema and CEL can say (the rules below,
// which the parser applies too); the rest (regexes and templates that must compile, variables that
// must exist) is refused by the parser, which compiles the profile and names the field
// (`spec.actions[2].requests[0].capture[1].regex`), and by the controller for a stored profile.

import { z } from 'zod';
import { InvalidInputError } from '../../invalid/index.ts';
import { compileProfile, matrixOf, matrixRow, profileBody, ROW_SUM_TOLERANCE, type Profile, type ProfileDocument } from '../../workloads/index.ts';
import { Conditions } from './condition.ts';
import { API_VERSION } from './group.ts';
import { ObjectMeta } from './object-meta.ts';
import { parseWith } from './parse.ts';
import { withRules } from './rules.ts';

const low = 1 - ROW_SUM_TOLERANCE;
const high = 1 + ROW_SUM_TOLERANCE;

const sumsToOne = (values: readonly number[]) => Math.abs(values.reduce((sum, p) => sum + p, 0) - 1) <= ROW_SUM_TOLERANCE;

const Matrix = matrixOf(
  withRules(matrixRow, [
    { rule: `self.sum() >= ${low} && self.sum() <= ${high}`, message: `probabilities must sum to 1 (within ${ROW_SUM_TOLERANCE})`, holds: sumsToOne },
  ]),
);

type Spec = z.output<z.ZodObject<typeof profileBody>>;
const names = (spec: Spec) => spec.actions.map((action) => action.name);

/** The rules between fields, for the API server and the parser alike (the compiler then checks the rest). */
export const WorkloadProfileSpec = withRules(z.strictObject({ ...profileBody, matrix: Matrix }), [
  { rule: '!(has(self.matrix) && has(self.mix))', message: 'give either a matrix or a flat mix, not both', field: ['mix'], holds: (p) => !(p.matrix && p.mix) },
  {
    rule: 'has(self.matrix) || has(self.mix) || size(self.actions) == 1',
    message: 'a profile with more than one action needs a transition matrix (matrix) or a flat mix (mix)',
    field: ['matrix'],
    holds: (p) => p.matrix !== undefined || p.mix !== undefined || p.actions.length === 1,
  },
  {
    rule: 'self.actions.all(a, self.actions.exists_one(b, b.name == a.name))',
    message: 'each action name may be used once',
    field: ['actions'],
    holds: (p) => new Set(names(p)).size === p.actions.length,
  },
  {
    rule: '!has(self.start) || self.actions.exists(a, a.name == self.start)',
    message: "unknown action: start must name one of the profile's actions",
    field: ['start'],
    holds: (p) => p.start === undefined || names(p).includes(p.start),
  },
  {
    rule: '!has(self.matrix) || (self.matrix.all(from, self.actions.exists(a, a.name == from)) && self.actions.all(a, a.name in self.matrix))',
    message: 'matrix needs one row per action, each named after an action of the profile',
    field: ['matrix'],
    holds: (p) => !p.matrix || (Object.keys(p.matrix).every((from) => names(p).includes(from)) && names(p).every((name) => Object.hasOwn(p.matrix ?? {}, name))),
  },
  {
    rule: '!has(self.matrix) || self.matrix.all(from, size(self.matrix[from]) == size(self.actions))',
    message: 'each row of matrix needs one entry per action, in the order of actions',
    field: ['matrix'],
    holds: (p) => !p.matrix || Object.values(p.matrix).every((row) => row.length === p.actions.length),
  },
  {
    rule: '!has(self.mix) || self.mix.all(name, self.actions.exists(a, a.name == name))',
    message: 'mix may name only actions of the profile',
    field: ['mix'],
    holds: (p) => !p.mix || Object.keys(p.mix).every((name) => names(p).includes(name)),
  },
  {
    rule: `!has(self.mix) || (self.mix.map(name, self.mix[name]).sum() >= ${low} && self.mix.map(name, self.mix[name]).sum() <= ${high})`,
    message: `the probabilities of mix must sum to 1 (within ${ROW_SUM_TOLERANCE})`,
    field: ['mix'],
    holds: (p) => !p.mix || sumsToOne(Object.values(p.mix)),
  },
]);
export type WorkloadProfileSpec = z.output<typeof WorkloadProfileSpec>;

export const WorkloadProfileStatus = z.strictObject({
  observedGeneration: z.int().min(0).optional().describe('The metadata.generation the status describes.'),
  conditions: Conditions.optional(),
  actions: z.array(z.string().max(64)).max(64).optional().describe("The profile's actions, in order: what experiments using it judge."),
  chain: z.enum(['matrix', 'mix', 'single']).optional().describe('How users pick their next action: a transition matrix, a flat mix, or the one action.'),
});
export type WorkloadProfileStatus = z.infer<typeof WorkloadProfileStatus>;

export const WorkloadProfileResource = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('WorkloadProfile'),
  metadata: ObjectMeta,
  spec: WorkloadProfileSpec,
  status: WorkloadProfileStatus.optional(),
});
export type WorkloadProfile = z.output<typeof WorkloadProfileResource>;
export type WorkloadProfileManifest = z.input<typeof WorkloadProfileResource>;

/** Parse a WorkloadProfile, defaults filled in, and refuse it unless it compiles. */
export function parseWorkloadProfile(object: unknown): WorkloadProfile {
  const profile = parseWith(WorkloadProfileResource, object);
  compileWorkloadProfile(profile);
  return profile;
}

/** The profile document a resource describes: its spec, named after the object. */
export function profileDocumentOf(profile: Pick<WorkloadProfile, 'metadata' | 'spec'>): ProfileDocument {
  return { name: profile.metadata.name, ...profile.spec };
}

/**
 * The compiled profile, `params` overriding the profile's (an experiment's workload.params). A
 * refusal names the field from the resource's root: `spec.matrix.Login`, or `paramsField.NAME`
 * for an override the profile has no parameter for.
 */
export function compileWorkloadProfile(
  profile: Pick<WorkloadProfile, 'metadata' | 'spec'>,
  params: Record<string, string | number> = {},
  paramsField = 'spec.workload.params',
): Profile {
  try {
    return compileProfile(profileDocumentOf(profile), params);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    const field = error.field.startsWith('params.') && Object.hasOwn(params, error.field.slice('params.'.length)) ? `${paramsField}${error.field.slice('params'.length)}` : `spec.${error.field}`;
    throw new InvalidInputError(field, error.detail);
  }
}

/** The chain a status shows: matrix, mix or the single action. */
export function chainOf(spec: WorkloadProfileSpec): 'matrix' | 'mix' | 'single' {
  return spec.matrix ? 'matrix' : spec.mix ? 'mix' : 'single';
}
