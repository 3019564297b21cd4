// The YAML files `migrascope run` reads: any number of documents, each a XenPool, a WorkloadProfile,
// a MigrationExperiment, a MigrationCampaign, or a Secret holding a pool's credentials (the same
// manifests one would kubectl apply). Several files are one set, as `kubectl apply -f a -f b`
// would make them: a pool, a profile and the experiment using them may each have a file of its
// own. A bad document is refused naming its file, position and field; an experiment whose profile
// is missing or does not fit it is refused before anything runs.
import { readFile } from 'node:fs/promises';
import { parseResource, type MigrationCampaign, type MigrationExperiment, type WorkloadProfile, type XenPool } from '../api/v1alpha1/index.ts';
import { ProfileProblem, resolveProfile, type ProfileLookup } from '../engine/workload-profile.ts';
import { InvalidInputError } from '../invalid/index.ts';
import { parseYamlDocuments } from '../invalid/yaml.ts';

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

/** The documents of one or more files, as one set. */
export async function readRunFiles(paths: readonly string[]): Promise<RunFile> {
  const sources: { text: string; source: string }[] = [];
  for (const path of paths) {
    try {
      sources.push({ text: await readFile(path, 'utf8'), source: path });
    } catch (error) {
      throw new InvalidInputError(path, `cannot read the file: ${(error as Error).message}`);
    }
  }
  return parseRunFiles(sources);
}

export function parseRunFile(text: string, source: string): RunFile {
  return parseRunFiles([{ text, source }]);
}

export function parseRunFiles(sources: readonly { text: string; source: string }[]): RunFile {
  const file: RunFile = { pools: [], profiles: [], experiments: [], campaigns: [], secrets: [] };
  const positions = new Map<object, string>();
  for (const { text, source } of sources) addDocuments(file, positions, text, source);
  if (file.experiments.length === 0 && file.campaigns.length === 0) {
    throw new InvalidInputError(names(sources), `${sources.length > 1 ? 'hold' : 'holds'} no MigrationExperiment or MigrationCampaign to run`);
  }
  const whereIs = (object: object): string => positions.get(object) ?? names(sources);
  checkUnique(file, whereIs);
  checkProfiles(file, whereIs);
  return file;
}

/**
 * No two experiments (or campaigns) with the same namespace and name, and no two with the same
 * metadata.uid: the second would load the first's checkpoint and report its results as its own.
 */
function checkUnique(file: RunFile, whereIs: (object: object) => string): void {
  const check = (objects: readonly (MigrationExperiment | MigrationCampaign)[], keyOf: (o: MigrationExperiment | MigrationCampaign) => string | undefined, what: (o: MigrationExperiment | MigrationCampaign) => string) => {
    const seen = new Map<string, MigrationExperiment | MigrationCampaign>();
    for (const object of objects) {
      const key = keyOf(object);
      if (key === undefined) continue;
      const first = seen.get(key);
      if (first) throw new InvalidInputError(`${whereIs(object)}: ${what(object)}`, `the same as ${whereIs(first)}: each experiment and campaign of a run needs its own (rename one)`);
      seen.set(key, object);
    }
  };
  const named = (o: MigrationExperiment | MigrationCampaign): string => `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
  check(file.experiments, named, () => 'metadata.name');
  check(file.campaigns, named, () => 'metadata.name');
  check([...file.experiments, ...file.campaigns], (o) => o.metadata.uid, () => 'metadata.uid');
}

const names = (sources: readonly { source: string }[]): string => sources.map((s) => s.source).join(', ');

/** Adds one file's documents to `file`, remembering where each resource came from. */
function addDocuments(file: RunFile, positions: Map<object, string>, text: string, source: string): void {
  for (const { where, value: object } of parseYamlDocuments(text, source)) {
    if (object === null || object === undefined) continue;
    if (isSecret(object)) {
      file.secrets.push(secretOf(object, where));
      continue;
    }
    try {
      const resource = parseResource(object);
      positions.set(resource, where);
      if (resource.kind === 'XenPool') file.pools.push(resource);
      else if (resource.kind === 'WorkloadProfile') file.profiles.push(resource);
      else if (resource.kind === 'MigrationExperiment') file.experiments.push(resource);
      else if (resource.kind === 'MigrationCampaign') file.campaigns.push(resource);
      else {
        // A schedule waits for its occurrences: that is the controller's job, not a run's.
        throw new InvalidInputError('kind', 'a MigrationSchedule runs in the cluster (migrascope controller); to run one occurrence here, put its campaignTemplate in a MigrationCampaign');
      }
    } catch (error) {
      if (error instanceof InvalidInputError) throw new InvalidInputError(`${where}: ${error.field}`, error.detail);
      throw error;
    }
  }
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
      const hint = error.reason === 'ProfileNotFound' ? ' (add the WorkloadProfile to the run, in the same namespace: in the file or a file of its own)' : '';
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
