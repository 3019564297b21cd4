// `migrascope run FILE.yaml...`: the experiments and campaigns of the files, through the same
// engine the operator uses (BullMQ queues in Redis, load and migration workers), without
// Kubernetes. Redis is the one given, or a local redis-server started for the run. With --testbed
// the embedded simulated pool stands in for the files' XenPools.
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Redis } from 'ioredis';
import type { MigrationCampaignStatus, MigrationExperimentStatus } from '../api/v1alpha1/index.ts';
import { runCampaign } from '../engine/campaign-runner.ts';
import { ExperimentRunner, type EngineDeps } from '../engine/experiment-runner.ts';
import type { PoolResolver } from '../engine/migration-worker.ts';
import { startWorkers, type WorkerHost } from '../engine/workers.ts';
import { localPoolResolver } from '../local/credentials.ts';
import { readRunFiles, runFileProfiles, type RunFile } from '../local/run-file.ts';
import { bindCampaign, bindExperiment, testbedPoolResolver } from '../local/testbed-binding.ts';
import { startTestbedProcess, type TestbedProcess } from '../local/testbed-process.ts';
import { logger } from '../log/index.ts';
import { startLocalRedis, type LocalRedis } from '../queue/local-redis.ts';
import { ExperimentQueues } from '../queue/queues.ts';
import { printText } from './output.ts';
import { writeReport } from './run-report.ts';
import { RunProgress } from './run-progress.ts';
import { describeCampaign, describeExperiment, type ExperimentRecord } from './run-summary.ts';

export interface RunCommandOptions {
  redis?: string;
  report?: string;
  json?: string;
  workers: boolean;
  testbed?: boolean;
  testbedConfig?: string;
  resultsDir: string;
  credentials?: string;
  progress: boolean;
  prefix: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run the experiments and campaigns of YAML files without Kubernetes (needs only Redis)')
    .argument('<files...>', 'YAML with MigrationExperiment / MigrationCampaign documents, their XenPool, Secret and WorkloadProfiles (in one file or several)')
    .option('--redis <url>', 'Redis to queue jobs in (default: a local redis-server started for the run)')
    .option('--report <file.html>', 'write the HTML report here')
    .option('--json <file>', 'write the final statuses here as JSON')
    .option('--no-workers', 'queue the jobs only; `migrascope worker` processes elsewhere take them')
    .option('--testbed', "run against the embedded simulated pool: XenPools mean the testbed's, <vm>.testbed.local URLs its guests")
    .option('--testbed-config <file>', 'the testbed topology (default: the bundled one)')
    .option('--results-dir <dir>', 'where request logs go (record.requestLog)', 'migrascope-results')
    .option('--credentials <file>', 'YAML/JSON {username, password} for XenPools whose Secret is not in the file')
    .option('--prefix <prefix>', 'prefix of every Redis key (queues, recorded seconds)', 'migrascope')
    .option('--no-progress', 'no progress bars')
    .addHelpText('after', '\nExamples:\n  migrascope run examples/demo.yaml --testbed --report demo.html\n  migrascope run examples/xenpool.yaml examples/study-one-migration.yaml --redis redis://redis:6379\n')
    .action(async (files: string[], options: RunCommandOptions) => {
      const ok = await runCommand(files, options);
      if (!ok) process.exitCode = 1;
    });
}

/** Runs everything in the file; false when an experiment or campaign did not succeed. */
export async function runCommand(files: string | readonly string[], options: RunCommandOptions): Promise<boolean> {
  const log = logger();
  let runFile: RunFile = await readRunFiles(typeof files === 'string' ? [files] : files);
  let testbed: TestbedProcess | undefined;
  let localRedis: LocalRedis | undefined;
  let workers: WorkerHost | undefined;
  let queues: ExperimentQueues | undefined;
  let redis: Redis | undefined;
  let connection: Redis | undefined;
  const progress = new RunProgress(options.progress && process.stderr.isTTY === true);
  try {
    let resolvePool: PoolResolver = localPoolResolver({ pools: runFile.pools, secrets: runFile.secrets, credentialsFile: options.credentials });
    if (options.testbed) {
      testbed = await startTestbedProcess({ config: options.testbedConfig });
      log.info({ xapi: testbed.xapi.url, vms: testbed.vms.map((vm) => vm.name) }, 'testbed started');
      resolvePool = testbedPoolResolver(testbed);
      const bound = testbed;
      runFile = { ...runFile, experiments: runFile.experiments.map((e) => bindExperiment(e, bound)), campaigns: runFile.campaigns.map((c) => bindCampaign(c, bound)) };
    }
    if (!options.redis) {
      localRedis = await startLocalRedis();
      log.info({ url: localRedis.url }, 'local Redis started for this run');
    }
    const redisUrl = options.redis ?? localRedis!.url;
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    queues = new ExperimentQueues({ connection, prefix: options.prefix });
    if (options.workers) workers = startWorkers({ connection, redis, prefix: options.prefix, resolvePool, log });
    const deps: EngineDeps = { redis, prefix: options.prefix, queues, resolvePool, log, resultsDir: options.resultsDir, profiles: runFileProfiles(runFile) };
    await mkdir(options.resultsDir, { recursive: true });

    const stop = new AbortController();
    const onSignal = (): void => stop.abort('interrupted (SIGINT/SIGTERM)');
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);

    const experiments: ExperimentRecord[] = [];
    const campaigns: { name: string; status: MigrationCampaignStatus }[] = [];
    const stamp = Date.now().toString(36);
    for (const experiment of runFile.experiments) {
      const record: ExperimentRecord = { experiment, runs: [], status: {} };
      const ref = { uid: experiment.metadata.uid ?? `${experiment.metadata.name}-${stamp}`, namespace: experiment.metadata.namespace ?? 'default', name: experiment.metadata.name };
      const runner = new ExperimentRunner(experiment, ref, deps, progress.observer(experiment, record));
      record.status = await runner.run(stop.signal);
      record.experiment = runner.experiment; // as run: the thresholds its profile's actions were judged by
      experiments.push(record);
    }
    for (const campaign of runFile.campaigns) {
      const status = await runCampaign(campaign, `${campaign.metadata.uid ?? campaign.metadata.name}-${stamp}`, deps, {
        onStatus: () => undefined,
        experiment: (users, name) => {
          const level = campaign.spec.template;
          const record: ExperimentRecord = { experiment: { apiVersion: 'migrascope.io/v1alpha1', kind: 'MigrationExperiment', metadata: { name }, spec: { ...level.spec, workload: { ...level.spec.workload, users }, repetitions: campaign.spec.repetitions } }, runs: [], status: {} };
          experiments.push(record);
          return progress.observer(record.experiment, record);
        },
      }, stop.signal);
      campaigns.push({ name: campaign.metadata.name, status });
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.stop();

    for (const record of experiments) printText(describeExperiment(record));
    for (const campaign of campaigns) printText(describeCampaign(campaign.name, campaign.status));
    if (options.json) {
      await mkdir(dirname(options.json), { recursive: true });
      await writeFile(options.json, `${JSON.stringify({ experiments: experiments.map((r) => ({ name: r.experiment.metadata.name, status: r.status })), campaigns }, null, 2)}\n`);
    }
    if (options.report) {
      const written = await writeReport(options.report, experiments, runFile.campaigns.map((campaign, i) => ({ campaign, status: campaigns[i]?.status })));
      for (const path of written) printText(`report: ${path}`);
    }
    const statuses: (MigrationExperimentStatus | MigrationCampaignStatus)[] = [...experiments.map((r) => r.status), ...campaigns.map((c) => c.status)];
    return statuses.every((status) => status.phase === 'Succeeded');
  } finally {
    progress.stop();
    await workers?.close();
    await queues?.close();
    redis?.disconnect();
    connection?.disconnect();
    await localRedis?.stop();
    await testbed?.stop();
  }
}
