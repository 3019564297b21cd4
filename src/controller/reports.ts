// The HTML reports the controller serves on its HTTP port, read-only, at /reports/<namespace>/<name>:
// the same pages `migrascope run --report` writes, built from what the controller has. The status
// (runs, actions, migrations) comes from the informers' cache; the per-second data the charts draw
// comes from the run's stream in Redis, where the engine keeps it until the object is deleted.
// Without it (Redis unreachable, or the stream gone) the page is still served, without charts, and
// says so.
//
// An experiment and a campaign may share a name: the bare path serves the experiment's report, and
// ?kind=campaign (in a campaign's status.reportPath) or ?kind=experiment says which is meant.
import type { RedisClient } from '../queue/redis-connection.ts';
import {
  GROUP,
  parseCampaign,
  parseExperiment,
  type MigrationCampaign,
  type MigrationCampaignStatus,
  type MigrationExperiment,
  type MigrationExperimentStatus,
} from '../api/v1alpha1/index.ts';
import { planRun } from '../engine/plan.ts';
import { BASELINE_RUN } from '../engine/run-numbers.ts';
import { SecondCollector } from '../engine/second-stream.ts';
import type { MigrationOutcome } from '../engine/migration-worker.ts';
import { RunKeys } from '../queue/run-keys.ts';
import type { ExperimentRef } from '../queue/contracts.ts';
import { migrationInstants, type ExperimentReportInput, type RunReportInput } from '../report/index.ts';
import { encodeResults, experimentResults, exportCsv, exportResults, renderResults, type ExperimentResults, type ResultsDocument } from '../results/index.ts';
import type { Access } from '../metrics/index.ts';
import type { ObjectCache } from './informer-set.ts';
import type { StoredObject } from './resources.ts';

export const REPORTS_PREFIX = '/reports/';

/** Where an object's report is served (status.reportPath). */
export function reportPath(kind: 'MigrationExperiment' | 'MigrationCampaign', namespace: string, name: string): string {
  const path = `${REPORTS_PREFIX}${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
  return kind === 'MigrationCampaign' ? `${path}?kind=campaign` : path;
}

export interface ReportSources {
  experiments: ObjectCache;
  campaigns: ObjectCache;
  /** Reads the runs' streams; undefined: reports without charts. */
  redis?: RedisClient | undefined;
  /** Prefix of the engine's Redis keys. */
  prefix: string;
  /** The results volume: where the results of objects that are gone are read from. */
  archived?: ((namespace: string, name: string, kind: ResultsDocument['kind']) => Promise<ResultsDocument | undefined>) | undefined;
  now?: () => Date;
}

export interface ReportPage {
  status: number;
  contentType: string;
  body: string | Uint8Array;
}

/** What a report URL may serve besides the page (?format=...): the data export and the results file. */
const FORMATS = ['html', 'csv', 'json', 'results'] as const;
type Format = (typeof FORMATS)[number];

/** The page for `path` (below /reports/), or a 404 that names what is missing. */
export async function reportPage(sources: ReportSources, path: string, query: URLSearchParams): Promise<ReportPage> {
  const parts = path.slice(REPORTS_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length !== 2) return notFound(`no report at ${path}: reports are at ${REPORTS_PREFIX}<namespace>/<name>`);
  const [namespace, name] = parts as [string, string];
  const kind = query.get('kind');
  if (kind !== null && kind !== 'experiment' && kind !== 'campaign') return notFound(`no report of kind "${kind}": kind is experiment or campaign`);
  const format = (query.get('format') ?? 'html') as Format;
  if (!FORMATS.includes(format)) return notFound(`no format "${format}": format is ${FORMATS.join(', ')}`);
  const experiment = kind === 'campaign' ? undefined : sources.experiments.get(namespace, name);
  if (experiment) return served(sources, await experimentDocument(sources, experiment), format, 'experiment');
  const campaign = kind === 'experiment' ? undefined : sources.campaigns.get(namespace, name);
  if (campaign) return served(sources, await campaignDocument(sources, campaign), format, 'campaign');
  // Gone (its TTL, a person): what the results volume kept of it.
  for (const archivedKind of kind === 'campaign' ? (['MigrationCampaign'] as const) : kind === 'experiment' ? (['MigrationExperiment'] as const) : (['MigrationExperiment', 'MigrationCampaign'] as const)) {
    const document = await sources.archived?.(namespace, name, archivedKind);
    if (document) {
      const notice = `The ${archivedKind} is gone; this report is rebuilt from its results file (written ${document.writtenAt}).`;
      return served(sources, { document, notice }, format, archivedKind === 'MigrationCampaign' ? 'campaign' : 'experiment');
    }
  }
  const what = kind === 'campaign' ? 'MigrationCampaign' : kind === 'experiment' ? 'MigrationExperiment' : 'MigrationExperiment or MigrationCampaign';
  return notFound(`no ${what} "${name}" in namespace "${namespace}" (is it watched by this controller?)`);
}

/**
 * What reading the report at `path` asks of RBAC: get on the object it is about, in its namespace.
 * A resource attribute rather than a non-resource URL (/reports/*) because RBAC grants those only
 * cluster-wide: this way whoever may read an experiment (its namespace's viewer role) may read its
 * report, and nobody else, with no role of ours to bind. The bare path is the experiment's unless
 * only a campaign has that name, as reportPage decides.
 */
export function reportAccess(sources: Pick<ReportSources, 'experiments' | 'campaigns'>, path: string, query: URLSearchParams): Access {
  const [namespace = '', name = ''] = path.slice(REPORTS_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
  const kind = query.get('kind');
  const campaign = kind === 'campaign' || (kind === null && sources.experiments.get(namespace, name) === undefined && sources.campaigns.get(namespace, name) !== undefined);
  return { resource: { group: GROUP, resource: campaign ? 'migrationcampaigns' : 'migrationexperiments', namespace, name, verb: 'get' } };
}

interface BuiltDocument {
  document: ResultsDocument;
  /** What the report lacks and why. */
  notice?: string | undefined;
  /** Runs whose per-second data could not be read (Redis unreachable): worth trying again. */
  unread?: string[];
}

function served(sources: ReportSources, { document, notice }: BuiltDocument, format: Format, kind: 'experiment' | 'campaign'): ReportPage {
  switch (format) {
    case 'csv':
      return { status: 200, contentType: 'text/csv; charset=utf-8', body: exportCsv(exportResults(document)) };
    case 'json':
      return { status: 200, contentType: 'application/json', body: `${JSON.stringify(exportResults(document))}\n` };
    case 'results':
      return { status: 200, contentType: 'application/gzip', body: encodeResults(document) };
    case 'html':
      // The same URL with another format: the CSV of what this page shows.
      return html(renderResults(document, { generatedAt: sources.now?.() ?? new Date(), csvHref: `?kind=${kind}&format=csv`, notice }));
  }
}

/** The results of an experiment as the controller has them: its status and, for the charts, its streams in Redis. */
export async function experimentDocument(sources: ReportSources, object: StoredObject): Promise<BuiltDocument> {
  const unread: string[] = [];
  const input = await experimentInput(sources, object, unread);
  return { document: { kind: 'MigrationExperiment', writtenAt: (sources.now?.() ?? new Date()).toISOString(), experiment: experimentResults(input) }, notice: input.notice, unread };
}

/**
 * The results of a campaign: its status and its levels' experiments in full, each from the object
 * while it exists, else from the results file it left on the volume (its TTL took it).
 */
export async function campaignDocument(sources: ReportSources, object: StoredObject): Promise<BuiltDocument> {
  const campaign = parseStored(object, parseCampaign) as MigrationCampaign;
  const status = (object.status ?? {}) as MigrationCampaignStatus;
  const namespace = object.metadata?.namespace ?? '';
  const experiments: ExperimentResults[] = [];
  const unread: string[] = [];
  for (const level of status.levels ?? []) {
    const stored = sources.experiments.get(namespace, level.experiment);
    const archived = stored ? undefined : await sources.archived?.(namespace, level.experiment, 'MigrationExperiment');
    if (stored) experiments.push(experimentResults(await experimentInput(sources, stored, unread)));
    else if (archived?.kind === 'MigrationExperiment') experiments.push(archived.experiment);
  }
  return { document: { kind: 'MigrationCampaign', writtenAt: (sources.now?.() ?? new Date()).toISOString(), campaign: { ...campaign, status }, experiments }, unread };
}

/** The report's input from the object's status and, for the charts, the runs' streams in Redis. */
/** `unread` collects the runs whose streams could not be read (not those whose streams are empty). */
export async function experimentInput(sources: ReportSources, object: StoredObject, unread: string[] = []): Promise<ExperimentReportInput> {
  const experiment = parseStored(object, parseExperiment) as MigrationExperiment;
  const status = (object.status ?? {}) as MigrationExperimentStatus;
  const ref: ExperimentRef = { uid: object.metadata?.uid ?? '', namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' };
  const missing: string[] = [];
  const runs: RunReportInput[] = [];
  // The baseline run (spec.baseline, run 0) is read as any run is, then set apart.
  for (const result of [...(status.runs ?? []), ...(status.baseline ? [status.baseline.run] : [])]) {
    if (!result.startTime) continue;
    const plan = planRun(experiment.spec, ref, result.index, Date.parse(result.startTime));
    const recorded = await recordedRun(sources, ref, result.index, plan.shards.length).catch((error: unknown) => {
      missing.push(`run ${result.index}: ${(error as Error).message}`);
      unread.push(`run ${result.index}: ${(error as Error).message}`);
      return undefined;
    });
    if (recorded && recorded.seconds.length === 0) missing.push(`run ${result.index}: its per-second data is no longer in Redis`);
    runs.push({
      result,
      plan: { startAtMs: plan.startAtMs, steadyStartMs: plan.steadyStartMs, steadyEndMs: plan.steadyEndMs, endMs: plan.endMs },
      seconds: recorded?.seconds ?? [],
      migrations: (result.migrations ?? []).map((migration) => migrationInstants(migration, recorded?.migrations.get(migration.index))),
    });
  }
  const baseline = runs.find((run) => run.result.index === BASELINE_RUN);
  return {
    experiment: { ...experiment, status },
    runs: runs.filter((run) => run !== baseline),
    ...(baseline ? { baseline } : {}),
    ...(status.summary ? { summary: status.summary } : {}),
    generatedAt: sources.now?.() ?? new Date(),
    ...(missing.length > 0 ? { notice: `Charts unavailable (report built from the status alone): ${missing.join('; ')}.` } : {}),
  };
}

interface RecordedRun {
  seconds: RunReportInput['seconds'];
  migrations: Map<number, MigrationOutcome>;
}

async function recordedRun(sources: ReportSources, ref: ExperimentRef, run: number, shards: number): Promise<RecordedRun> {
  if (!sources.redis) throw new Error('this controller reads no Redis');
  const keys = new RunKeys(sources.prefix, ref, run);
  const collector = new SecondCollector(sources.redis, keys, shards);
  await collector.poll();
  const migrations = new Map<number, MigrationOutcome>();
  for (const [index, json] of Object.entries(await sources.redis.hgetall(keys.migrations))) {
    migrations.set(Number(index), JSON.parse(json) as MigrationOutcome);
  }
  return { seconds: collector.all(), migrations };
}

/** The parsed object without its status (the parser's InvalidInputError when it refuses the spec). */
function parseStored<T>(object: StoredObject, parse: (input: unknown) => T): T {
  const { status: _status, ...withoutStatus } = object;
  return parse(withoutStatus);
}

function html(body: string): ReportPage {
  return { status: 200, contentType: 'text/html; charset=utf-8', body };
}

function notFound(message: string): ReportPage {
  return { status: 404, contentType: 'text/plain; charset=utf-8', body: `${message}\n` };
}
