// A profile written as the WorkloadProfile resource (`kind: WorkloadProfile`): the same profile
// format under `spec`, its name in `metadata.name`, so one file serves `kubectl apply` and
// `migrascope load --profile`. Every refusal names the field as it is written in the manifest
// (`spec.matrix.Login`, `metadata.name`), whether the shape or the compiler found it.
import { InvalidInputError } from '../invalid/index.ts';
import { compileProfile, type Profile } from './profile.ts';
import { parseProfileDocument } from './profile-schema.ts';

export const WORKLOAD_PROFILE_KIND = 'WorkloadProfile';
/** The resource's group and version (declared with the other resources in src/api). */
export const WORKLOAD_PROFILE_API_VERSION = 'migrascope.io/v1alpha1';

/** A Kubernetes object name (DNS-1123 subdomain), as metadata.name must be. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether a parsed document is a WorkloadProfile manifest rather than a plain profile. */
export function isWorkloadProfileManifest(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as Record<string, unknown>).kind === WORKLOAD_PROFILE_KIND;
}

/** The manifest's profile: its spec, named metadata.name, checked and compiled. */
export function compileProfileManifest(manifest: Record<string, unknown>, source: string, params: Record<string, string | number>): Profile {
  if (manifest.apiVersion !== WORKLOAD_PROFILE_API_VERSION) {
    throw new InvalidInputError('apiVersion', `expected ${WORKLOAD_PROFILE_API_VERSION} for kind ${WORKLOAD_PROFILE_KIND} (got ${JSON.stringify(manifest.apiVersion)}) (in ${source})`);
  }
  const name = nameOf(manifest.metadata, source);
  const spec = manifest.spec;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new InvalidInputError('spec', `expected the profile (actions, think, matrix...: docs/workload.md) (in ${source})`);
  }
  if ('name' in spec) throw new InvalidInputError('spec.name', `a WorkloadProfile is named by metadata.name; remove spec.name (in ${source})`);
  try {
    return compileProfile(parseProfileDocument({ ...spec, name }, source), params);
  } catch (error) {
    if (!(error instanceof InvalidInputError) || error.field.startsWith('--')) throw error;
    const field = error.field === '(top level)' ? 'spec' : `spec.${error.field}`;
    throw new InvalidInputError(field, error.message.slice(error.field.length + 2));
  }
}

function nameOf(metadata: unknown, source: string): string {
  const name = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>).name : undefined;
  if (typeof name !== 'string' || !OBJECT_NAME.test(name) || name.length > 253) {
    throw new InvalidInputError('metadata.name', `give the profile a name of lower-case letters, digits and "-" (got ${JSON.stringify(name)}) (in ${source})`);
  }
  return name;
}
