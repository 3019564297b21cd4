// What `--profile` names: the built-in olio profile, a plain profile file (docs/workload.md), or a
// WorkloadProfile manifest, so one file serves `kubectl apply` and `migrascope load`. A manifest
// is read by the same parser as the cluster's objects (schema, CEL rules, the profile compiler):
// refusals name the field as the manifest spells it (`spec.matrix.Login`, `metadata.name`).
import { compileWorkloadProfile, parseWorkloadProfile } from '../api/v1alpha1/index.ts';
import { InvalidInputError } from '../invalid/index.ts';
import { compileProfile, loadProfile, parseProfileDocument, readProfileYaml, type Profile } from '../workloads/index.ts';

export function profileArgument(spec: string, params: Record<string, string | number>): Profile {
  if (spec === 'olio') return loadProfile(spec, params);
  const value = readProfileYaml(spec);
  if (!isManifest(value)) return compileProfile(parseProfileDocument(value, spec), params);
  try {
    return compileWorkloadProfile(parseWorkloadProfile(value), params, '--param');
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new InvalidInputError(error.field, `${error.detail} (in ${spec})`);
  }
}

function isManifest(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'WorkloadProfile';
}
