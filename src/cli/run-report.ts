// The HTML report of `migrascope run --report FILE.html`: one file for one experiment or campaign;
// with several, one file each beside FILE (FILE-<name>.html). A campaign's report carries its
// levels' experiments in full.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { MigrationCampaign, MigrationCampaignStatus } from '../api/v1alpha1/index.ts';
import { levelInputs, recommendationInput, renderCampaignReport, renderExperimentReport, type ExperimentReportInput, type RunReportInput } from '../report/index.ts';
import type { ExperimentRecord, RecordedRun } from './run-summary.ts';

export async function writeReport(
  path: string,
  experiments: readonly ExperimentRecord[],
  campaigns: readonly { campaign: MigrationCampaign; status: MigrationCampaignStatus | undefined }[],
): Promise<string[]> {
  const inCampaign = new Set(campaigns.flatMap(({ status }) => (status?.levels ?? []).map((level) => level.experiment)));
  const standalone = experiments.filter((record) => !inCampaign.has(record.experiment.metadata.name));
  const documents: { name: string; html: string }[] = [
    ...standalone.map((record) => ({ name: record.experiment.metadata.name, html: renderExperimentReport(reportInput(record)) })),
    ...campaigns.map(({ campaign, status }) => ({
      name: campaign.metadata.name,
      html: renderCampaignReport({
        campaign,
        levels: levelInputs(status?.levels ?? [], (name) => experiments.find((r) => r.experiment.metadata.name === name)?.status.summary),
        ...(status?.recommendation ? { recommendation: recommendationInput(status.recommendation) } : {}),
        generatedAt: new Date(),
        experiments: experiments.filter((r) => inCampaign.has(r.experiment.metadata.name)).map(reportInput),
      }),
    })),
  ];
  await mkdir(dirname(path), { recursive: true });
  const written: string[] = [];
  for (const document of documents) {
    const target = documents.length === 1 ? path : join(dirname(path), `${basename(path, extname(path))}-${document.name}${extname(path) || '.html'}`);
    await writeFile(target, document.html);
    written.push(target);
  }
  return written;
}

function reportInput(record: ExperimentRecord): ExperimentReportInput {
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
    migrations: outcome.migrations.map((m) => ({
      index: m.index,
      state: m.state,
      ...(m.startTime ? { startMs: Date.parse(m.startTime) } : {}),
      ...(m.endTime ? { endMs: Date.parse(m.endTime) } : {}),
      ...(m.downtimeStartMs === undefined ? {} : { downtimeStartMs: m.downtimeStartMs }),
      ...(m.downtimeEndMs === undefined ? {} : { downtimeEndMs: m.downtimeEndMs }),
      ...(m.source ? { source: m.source } : {}),
      ...(m.destination ? { destination: m.destination } : {}),
      ...(m.durationSeconds === undefined ? {} : { durationSeconds: m.durationSeconds }),
      ...(m.downtimeSeconds === undefined ? {} : { downtimeSeconds: m.downtimeSeconds }),
      ...(m.modelDowntimeSeconds === undefined ? {} : { modelDowntimeSeconds: m.modelDowntimeSeconds }),
    })),
  };
}
