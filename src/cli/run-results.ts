// What `migrascope run` keeps of its experiments and campaigns once it ends: a results file per
// standalone experiment and per campaign (its levels' experiments inside) in --results-dir, and
// beside each its CSV export, which the HTML report links. `migrascope results export` and
// `migrascope compare` read these files; the report can be rebuilt from them.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationCampaign, MigrationCampaignStatus } from '../api/v1alpha1/index.ts';
import { migrationInstants, type ExperimentReportInput, type RunReportInput } from '../report/index.ts';
import { experimentResults, exportCsv, exportResults, resultsFileName, writeResults, type ResultsDocument } from '../results/index.ts';
import type { ExperimentRecord, RecordedRun } from './run-summary.ts';

export interface RunDocument {
  name: string;
  document: ResultsDocument;
}

export interface KeptResults extends RunDocument {
  /** The results file. */
  results: string;
  /** Its CSV export. */
  csv: string;
}

/** One document per experiment outside a campaign, one per campaign with its levels' experiments. */
export function runDocuments(
  experiments: readonly ExperimentRecord[],
  campaigns: readonly { campaign: MigrationCampaign; status: MigrationCampaignStatus | undefined }[],
  writtenAt = new Date(),
): RunDocument[] {
  const inCampaign = new Set(campaigns.flatMap(({ status }) => (status?.levels ?? []).map((level) => level.experiment)));
  const at = writtenAt.toISOString();
  return [
    ...experiments
      .filter((record) => !inCampaign.has(record.experiment.metadata.name))
      .map((record): RunDocument => ({ name: record.experiment.metadata.name, document: { kind: 'MigrationExperiment', writtenAt: at, experiment: experimentResults(reportInput(record)) } })),
    ...campaigns.map(({ campaign, status }): RunDocument => {
      const levels = new Set((status?.levels ?? []).map((level) => level.experiment));
      return {
        name: campaign.metadata.name,
        document: {
          kind: 'MigrationCampaign',
          writtenAt: at,
          campaign: { ...campaign, status: status ?? {} },
          experiments: experiments.filter((record) => levels.has(record.experiment.metadata.name)).map((record) => experimentResults(reportInput(record))),
        },
      };
    }),
  ];
}

/** Writes each document's results file and CSV into `dir`. */
export async function keepResults(dir: string, documents: readonly RunDocument[]): Promise<KeptResults[]> {
  const kept: KeptResults[] = [];
  for (const { name, document } of documents) {
    const results = await writeResults(dir, name, document);
    const csv = join(dir, resultsFileName(document.kind, name).replace(/\.results\.json\.gz$/, '.csv'));
    await writeFile(csv, exportCsv(exportResults(document)));
    kept.push({ name, document, results, csv });
  }
  return kept;
}

/** What the report is made of, from what the run recorded (its merged seconds and migrations' instants). */
export function reportInput(record: ExperimentRecord): ExperimentReportInput {
  return {
    experiment: { ...record.experiment, status: record.status },
    runs: record.runs.map(runInput),
    ...(record.baseline ? { baseline: runInput(record.baseline) } : {}),
    ...(record.status.summary ? { summary: record.status.summary } : {}),
    generatedAt: new Date(),
  };
}

function runInput({ result, outcome, plan }: RecordedRun): RunReportInput {
  return {
    result,
    plan: { startAtMs: plan.startAtMs, steadyStartMs: plan.steadyStartMs, steadyEndMs: plan.steadyEndMs, endMs: plan.endMs },
    seconds: outcome.seconds,
    // The outcome is the status's migration with the downtime's bounds beside it.
    migrations: outcome.migrations.map((migration) => migrationInstants(migration, migration)),
  };
}
