// The results file: what a finished experiment or campaign measured, kept after its objects are
// gone (the operator's TTL deletes them; Redis loses its per-second streams with them). One
// gzip-compressed JSON document, versioned, holding the resource as it ran with its status carried
// whole (fields added to status later come along unchanged), and per run its timetable, its
// migrations' instants and its merged per-second histograms in the wire encoding of
// src/recording/snapshot-wire.ts (HdrHistogram V2, base64): every count is kept exactly, so the
// report, the windows and the export are computed again from it as from the live run.
//
// A campaign's file holds the campaign with its status and its levels' experiments in full.
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { parseCampaign, parseExperiment, type MigrationCampaign, type MigrationCampaignStatus, type MigrationExperiment, type MigrationExperimentStatus } from '../api/v1alpha1/index.ts';
import { InvalidInputError } from '../invalid/index.ts';
import { decodeSecond, encodeSecond, SnapshotFormatError, type EncodedSecond } from '../recording/index.ts';
import type { ExperimentReportInput, MigrationInstants, RunReportInput, RunTimetable } from '../report/index.ts';

export const RESULTS_FORMAT = 'migrascope-results';
/** Raised on a change a reader of the previous version would misread; readers refuse other versions. */
export const RESULTS_VERSION = 1;

/** One experiment as its results file keeps it. */
export interface ExperimentResults {
  /** The resource as run (thresholds filled in), with its status as a whole. */
  experiment: MigrationExperiment;
  runs: RunResults[];
}

export interface RunResults {
  /** status.runs[].index of the run; 0 for the baseline run (status.baseline.run). */
  index: number;
  plan: RunTimetable;
  migrations: MigrationInstants[];
  /** Merged across workers, one per second, ascending. */
  seconds: RunReportInput['seconds'];
}

export type ResultsDocument =
  | { kind: 'MigrationExperiment'; writtenAt: string; experiment: ExperimentResults }
  | { kind: 'MigrationCampaign'; writtenAt: string; campaign: MigrationCampaign & { status: MigrationCampaignStatus }; experiments: ExperimentResults[] };

const timetable = z.strictObject({ startAtMs: z.number(), steadyStartMs: z.number(), steadyEndMs: z.number(), endMs: z.number() });
const instants = z.looseObject({ index: z.int().min(1), state: z.string() });
const encodedRun = z.strictObject({ index: z.int().min(0), plan: timetable, migrations: z.array(instants), seconds: z.array(z.unknown()) });
const resource = z.looseObject({ apiVersion: z.string(), kind: z.string(), metadata: z.looseObject({ name: z.string() }), spec: z.unknown(), status: z.record(z.string(), z.unknown()).optional() });
const encodedExperiment = z.strictObject({ experiment: resource, runs: z.array(encodedRun) });
const envelope = z.looseObject({ format: z.literal(RESULTS_FORMAT), version: z.int(), kind: z.enum(['MigrationExperiment', 'MigrationCampaign']), writtenAt: z.string() });
const body = {
  MigrationExperiment: z.looseObject({ experiment: encodedExperiment }),
  MigrationCampaign: z.looseObject({ campaign: resource, experiments: z.array(encodedExperiment) }),
};

/** The results of one experiment from what its report is made of (the baseline run, run 0, among the runs). */
export function experimentResults(input: Pick<ExperimentReportInput, 'experiment' | 'runs' | 'baseline'>): ExperimentResults {
  const runs = [...(input.baseline ? [input.baseline] : []), ...input.runs];
  return { experiment: { ...input.experiment, metadata: keptMetadata(input.experiment.metadata) }, runs: runs.map((run) => ({ index: run.result.index, plan: run.plan, migrations: run.migrations, seconds: run.seconds })) };
}

/** What the report is made of, from the results: the report rebuilt after the objects are gone. */
export function reportInputOf(results: ExperimentResults, generatedAt: Date, csvHref?: string): ExperimentReportInput {
  const status: MigrationExperimentStatus = results.experiment.status ?? {};
  const resultOf = (index: number) => (index === 0 ? status.baseline?.run : status.runs?.find((r) => r.index === index));
  const runs = results.runs.flatMap((run): RunReportInput[] => {
    const result = resultOf(run.index);
    return result ? [{ result, plan: run.plan, migrations: run.migrations, seconds: run.seconds }] : [];
  });
  const baseline = runs.find((run) => run.result.index === 0);
  return {
    experiment: results.experiment,
    runs: runs.filter((run) => run !== baseline),
    ...(baseline ? { baseline } : {}),
    ...(status.summary ? { summary: status.summary } : {}),
    generatedAt,
    ...(csvHref === undefined ? {} : { csvHref }),
  };
}

export function encodeResults(document: ResultsDocument): Buffer {
  const head = { format: RESULTS_FORMAT, version: RESULTS_VERSION, kind: document.kind, writtenAt: document.writtenAt };
  const json =
    document.kind === 'MigrationExperiment'
      ? { ...head, experiment: encodeExperiment(document.experiment) }
      : { ...head, campaign: document.campaign, experiments: document.experiments.map(encodeExperiment) };
  return gzipSync(JSON.stringify(json));
}

/** The document in `bytes`, or InvalidInputError naming `source` and what is wrong with it. */
export function decodeResults(bytes: Buffer, source: string): ResultsDocument {
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(bytes).toString('utf8'));
  } catch (error) {
    throw new InvalidInputError(source, `not a migrascope results file (gzip-compressed JSON): ${(error as Error).message}`);
  }
  const head = envelope.safeParse(json);
  if (!head.success) {
    const format = (json as { format?: unknown } | null)?.format;
    throw new InvalidInputError(source, format === RESULTS_FORMAT ? `a results file with a bad header: ${z.prettifyError(head.error)}` : `not a migrascope results file (its "format" is ${JSON.stringify(format)}, expected "${RESULTS_FORMAT}")`);
  }
  if (head.data.version !== RESULTS_VERSION) {
    throw new InvalidInputError(source, `results file version ${head.data.version}, this migrascope reads version ${RESULTS_VERSION}: use the migrascope that wrote it (or a newer one)`);
  }
  const parsed = body[head.data.kind].safeParse(json);
  if (!parsed.success) throw new InvalidInputError(source, `a damaged results file: ${z.prettifyError(parsed.error)}`);
  try {
    if (head.data.kind === 'MigrationExperiment') {
      return { kind: 'MigrationExperiment', writtenAt: head.data.writtenAt, experiment: decodeExperiment((parsed.data as z.infer<(typeof body)['MigrationExperiment']>).experiment) };
    }
    const campaign = parsed.data as z.infer<(typeof body)['MigrationCampaign']>;
    return {
      kind: 'MigrationCampaign',
      writtenAt: head.data.writtenAt,
      campaign: withStatus(campaign.campaign, parseCampaign) as MigrationCampaign & { status: MigrationCampaignStatus },
      experiments: campaign.experiments.map(decodeExperiment),
    };
  } catch (error) {
    if (error instanceof SnapshotFormatError || error instanceof InvalidInputError) throw new InvalidInputError(source, `a damaged results file: ${error.message}`);
    throw error;
  }
}

function encodeExperiment(results: ExperimentResults): unknown {
  return { experiment: results.experiment, runs: results.runs.map((run): { seconds: EncodedSecond[] } & Omit<RunResults, 'seconds'> => ({ ...run, seconds: run.seconds.map(encodeSecond) })) };
}

function decodeExperiment(encoded: z.infer<typeof encodedExperiment>): ExperimentResults {
  return {
    experiment: withStatus(encoded.experiment, parseExperiment) as MigrationExperiment,
    runs: encoded.runs.map((run) => ({ index: run.index, plan: run.plan, migrations: run.migrations as MigrationInstants[], seconds: run.seconds.map(decodeSecond) })),
  };
}

/**
 * The spec is checked as the API checks it; the status is kept as written, whole: a file written
 * by a migrascope whose status has more fields still reads, and nothing of it is dropped.
 */
function withStatus<T extends object>(object: z.infer<typeof resource>, parse: (input: unknown) => T): T & { status: Record<string, unknown> } {
  const { status, ...rest } = object;
  return { ...parse(rest), status: status ?? {} };
}

/** The metadata worth keeping: who the resource was, not the API server's bookkeeping (managedFields). */
function keptMetadata<M extends MigrationExperiment['metadata']>(metadata: M): M {
  const { name, namespace, uid, generation, labels, annotations } = metadata;
  const created = (metadata as { creationTimestamp?: unknown }).creationTimestamp;
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(uid === undefined ? {} : { uid }),
    ...(generation === undefined ? {} : { generation }),
    ...(labels === undefined ? {} : { labels }),
    ...(annotations === undefined ? {} : { annotations }),
    ...(typeof created === 'string' ? { creationTimestamp: created } : {}),
  } as M;
}
