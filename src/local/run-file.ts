// The YAML file `migrascope run` reads: any number of documents, each a XenPool, a WorkloadProfile,
// a MigrationExperiment, a MigrationCampaign, or a Secret holding a pool's credentials (the same
// manifests one would kubectl apply). A bad document is refused naming its position and field; an
// experiment whose profile is missing or does not fit it is refused before anything runs.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { parseResource, type MigrationCampaign, type MigrationExperiment, type WorkloadProfile, type XenPool } from '../api/v1alpha1/index.ts';
import { ProfileProblem, resolveProfile, type ProfileLookup } from '../engine/workload-profile.ts';
import { InvalidInputError } from '../invalid/index.ts';

export interface SecretDocument {
  name: string;
  namespace: string;
  data: Record<string, string>;
}

export interface RunFile {
  pools: XenPool[];
  profiles: WorkloadProfile[];
  experiments: MigrationExperiment[];
  campaigns: MigrationCampaign[];
  secrets: SecretDocument[];
}

export async function readRunFile(path: string): Promise<RunFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError(path, `cannot read the file: ${(error as Error).message}`);
  }
  return parseRunFile(text, path);
}

export function parseRunFile(text: string, source: string): RunFile {
  const file: RunFile = { pools: [], profiles: [], experiments: [], campaigns: [], secrets: [] };
  const positions = new Map<object, string>();
  parseAllDocuments(text).forEach((document, index) => {
    const where = `${source} (document ${index + 1})`;
    if (document.errors.length > 0) throw new InvalidInputError(where, `not valid YAML: ${document.errors[0]?.message}`);
    const object: unknown = document.toJS();
    if (object === null || object === undefined) return;
    if (isSecret(object)) {
      file.secrets.push(secretOf(object, where));
      return;
    }
    try {
      const resource = parseResource(object);
      positions.set(resource, where);
      if (resource.kind === 'XenPool') file.pools.push(resource);
      else if (resource.kind === 'WorkloadProfile') file.profiles.push(resource);
      else if (resource.kind === 'MigrationExperiment') file.experiments.push(resource);
      else file.campaigns.push(resource);
    } catch (error) {
      if (error instanceof InvalidInputError) throw new InvalidInputError(`${where}: ${error.field}`, error.message.slice(error.field.length + 2));
      throw error;
    }
  });
  if (file.experiments.length === 0 && file.campaigns.length === 0) {
    throw new InvalidInputError(source, 'holds no MigrationExperiment or MigrationCampaign to run');
  }
  checkProfiles(file, (object) => positions.get(object) ?? source);
  return file;
}

/** The WorkloadProfiles of a run file by namespace and name (the engine's lookup). */
export function runFileProfiles(file: Pick<RunFile, 'profiles'>): ProfileLookup {
  return (namespace, name) => file.profiles.find((p) => p.metadata.name === name && (p.metadata.namespace ?? 'default') === namespace);
}

/** Every experiment and campaign template resolves its profile now, not minutes into the run. */
function checkProfiles(file: RunFile, whereIs: (object: object) => string): void {
  const lookup = runFileProfiles(file);
  const check = (object: MigrationExperiment | MigrationCampaign, spec: Parameters<typeof resolveProfile>[0], root: string) => {
    try {
      resolveProfile(spec, object.metadata.namespace ?? 'default', lookup, root);
    } catch (error) {
      if (!(error instanceof ProfileProblem)) throw error;
      const hint = error.reason === 'ProfileNotFound' ? ' (add the WorkloadProfile to the file, in the same namespace)' : '';
      throw new InvalidInputError(`${whereIs(object)}: ${error.field}`, `${error.detail}${hint}`);
    }
  };
  for (const experiment of file.experiments) check(experiment, experiment.spec, 'spec');
  for (const campaign of file.campaigns) check(campaign, campaign.spec.template.spec, 'spec.template.spec');
}

function isSecret(object: unknown): object is { metadata?: { name?: string; namespace?: string }; data?: Record<string, string>; stringData?: Record<string, string> } {
  return typeof object === 'object' && object !== null && (object as { kind?: unknown }).kind === 'Secret' && (object as { apiVersion?: unknown }).apiVersion === 'v1';
}

function secretOf(object: { metadata?: { name?: string; namespace?: string }; data?: Record<string, string>; stringData?: Record<string, string> }, where: string): SecretDocument {
  const name = object.metadata?.name;
  if (!name) throw new InvalidInputError(`${where}: metadata.name`, 'a Secret needs a name');
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(object.data ?? {})) data[key] = Buffer.from(String(value), 'base64').toString('utf8');
  for (const [key, value] of Object.entries(object.stringData ?? {})) data[key] = String(value);
  return { name, namespace: object.metadata?.namespace ?? 'default', data };
}
