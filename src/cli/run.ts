// `migrascope run FILE.yaml...`: the experiments and campaigns of the files, through the same
// engine the operator uses (BullMQ queues in Redis, load and migration workers), without
// Kubernetes. Redis is the one given, or a local redis-server started for the run. With --testbed
// the embedded simulated pool stands in for the files' XenPools.
import type { Command } from 'commander';
import { constants } from 'node:fs';
import { access, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MigrationCampaign, MigrationCampaignStatus, MigrationExperimentStatus } from '../api/v1alpha1/index.ts';
import { runCampaign } from '../engine/campaign-runner.ts';
import { ExperimentRunner, type EngineDeps } from '../engine/experiment-runner.ts';
import type { PoolResolver } from '../engine/migration-worker.ts';
import { startWorkers, type WorkerHost } from '../engine/workers.ts';
import { checkCredentials, localPoolResolver } from '../local/credentials.ts';
import { readRunFiles, runFileProfiles, type RunFile } from '../local/run-file.ts';
import { bindCampaign, bindExperiment, testbedPoolResolver } from '../local/testbed-binding.ts';
import { startTestbedProcess, type TestbedProcess } from '../local/testbed-process.ts';
import { logger } from '../log/index.ts';
import { startLocalRedis, type LocalRedis } from '../queue/local-redis.ts';
import { connectRedis, redisTimeoutMs, type RedisClient, RedisUnavailableError, watchRedis } from '../queue/redis-connection.ts';
import { REDIS_ENV_HELP, REDIS_URL_FORMS } from '../queue/redis-url.ts';
import { InvalidInputError } from '../invalid/index.ts';
import { EXIT, EXIT_CODES_HELP, exitWith, InterruptedError } from './exit-codes.ts';
import { ExperimentQueues } from '../queue/queues.ts';
import { printText } from './output.ts';
import { writeReport } from './run-report.ts';
import { keepResults, runDocuments } from './run-results.ts';
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

export function defineRun(command: Command): void {
  command
    .argument('<files...>', 'YAML with MigrationExperiment / MigrationCampaign documents, their XenPool, Secret and WorkloadProfiles (in one file or several)')
    .option('--redis <url>', `Redis to queue jobs in: ${REDIS_URL_FORMS} (default: a local redis-server started for the run)`)
    .option('--report <file.html>', 'write the HTML report here')
    .option('--json <file>', 'write the final statuses here as JSON')
    .option('--no-workers', 'queue the jobs only; `migrascope worker` processes elsewhere take them')
    .option('--testbed', "run against the embedded simulated pool: XenPools mean the testbed's, <vm>.testbed.local URLs its guests")
    .option('--testbed-config <file>', 'the testbed topology (default: the bundled one)')
    .option('--results-dir <dir>', 'where results files, their CSV and request logs (record.requestLog) go', 'migrascope-results')
    .option('--credentials <file>', 'YAML/JSON {username, password} for XenPools whose Secret is not in the file')
    .option('--prefix <prefix>', 'prefix of every Redis key (queues, recorded seconds)', 'migrascope')
    .option('--no-progress', 'no progress bars')
    .addHelpText('after', '\nExamples:\n  migrascope run examples/demo.yaml --testbed --report demo.html\n  migrascope run examples/xenpool.yaml examples/study-one-migration.yaml --redis redis://redis:6379\n')
    .addHelpText('after', `${EXIT_CODES_HELP}\nEnvironment:\n  MIGRASCOPE_REDIS_TIMEOUT       how long to wait for Redis, at start and when lost (default 10s)\n${REDIS_ENV_HELP}\n  MIGRASCOPE_XAPI_USERNAME, MIGRASCOPE_XAPI_PASSWORD, MIGRASCOPE_XAPI_PASSWORD_FILE, MIGRASCOPE_XAPI_CA_FILE\n                                 XenPool credentials and CA when the run file has no Secret for them\n`)
    .action(async (files: string[], options: RunCommandOptions) => {
      exitWith(await runCommand(files, options));
    });
}

/** Resolves after `ms` (the timer does not keep the process alive). */
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** `promise`, or `undefined` when it takes longer than `ms`. */
async function bounded<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, pause(ms).then(() => undefined)]);
}

/** How long the engine and the workers get to stop after Ctrl-C before the command gives up on them. */
const STOP_TIMEOUT_MS = 30_000;

/**
 * Runs everything in the files; the exit code: 0 when every experiment and campaign succeeded, 1
 * when one did not (or Redis was lost), 130 when interrupted (what finished is still printed and
 * written). Ctrl-C stops the load and the engine, then the testbed and Redis (which run in process
 * groups of their own, so the terminal's SIGINT reaches only this process); a second one stops at once.
 */
export async function runCommand(files: string | readonly string[], options: RunCommandOptions): Promise<number> {
  const log = logger();
  const say = (line: string): void => void process.stderr.write(`migrascope: ${line}\n`);
  let runFile: RunFile = await readRunFiles(typeof files === 'string' ? [files] : files);
  await checkOutputs(options);
  if (!options.testbed) {
    // A missing Secret or credentials file is refused now, before Redis starts.
    const poolNames = [...runFile.experiments.map((e) => e.spec.poolRef.name), ...runFile.campaigns.map((c) => c.spec.template.spec.poolRef.name)];
    checkCredentials(poolNames, { pools: runFile.pools, secrets: runFile.secrets, credentialsFile: options.credentials });
  }
  let testbed: TestbedProcess | undefined;
  let localRedis: LocalRedis | undefined;
  let workers: WorkerHost | undefined;
  let queues: ExperimentQueues | undefined;
  let redis: RedisClient | undefined;
  let connection: RedisClient | undefined;
  const unwatch: (() => void)[] = [];
  const progress = new RunProgress(options.progress && process.stderr.isTTY === true);

  // Signals first: Ctrl-C while the testbed starts or Redis is unreachable must stop the command too.
  const stop = new AbortController();
  let interrupted: NodeJS.Signals | undefined;
  let lostRedis: RedisUnavailableError | undefined;
  let rejectLost: (error: Error) => void = () => undefined;
  const redisLost = new Promise<never>((_, reject) => (rejectLost = reject));
  redisLost.catch(() => undefined);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted === undefined) {
      interrupted = signal;
      progress.stop();
      say(`interrupted (${signal}): stopping the load and the engine, then the testbed and Redis (${signal} again to stop at once)`);
      stop.abort(`interrupted (${signal})`);
      return;
    }
    say(`${signal} again: stopping at once`);
    testbed?.killNow();
    localRedis?.killNow();
    process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const aborted = new Promise<never>((_, reject) => stop.signal.addEventListener('abort', () => reject(new InterruptedError(interrupted)), { once: true }));
  aborted.catch(() => undefined);
  /** A start-up step, given up at Ctrl-C. */
  const step = <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, aborted]);

  try {
    let resolvePool: PoolResolver = localPoolResolver({ pools: runFile.pools, secrets: runFile.secrets, credentialsFile: options.credentials });
    if (options.testbed) {
      testbed = await step(startTestbedProcess({ config: options.testbedConfig, signal: stop.signal }));
      log.info({ xapi: testbed.xapi.url, vms: testbed.vms.map((vm) => vm.name) }, 'testbed started');
      resolvePool = testbedPoolResolver(testbed);
      const bound = testbed;
      runFile = { ...runFile, experiments: runFile.experiments.map((e) => bindExperiment(e, bound)), campaigns: runFile.campaigns.map((c) => bindCampaign(c, bound)) };
    }
    if (!options.redis) {
      localRedis = await startLocalRedis();
      log.info({ url: localRedis.url }, 'local Redis started for this run');
      if (stop.signal.aborted) throw new InterruptedError(interrupted);
    }
    const redisUrl = options.redis ?? localRedis!.url;
    const timeoutMs = redisTimeoutMs();
    redis = await connectRedis(redisUrl, { timeoutMs, signal: stop.signal });
    connection = await connectRedis(redisUrl, { timeoutMs, signal: stop.signal });
    for (const client of [redis, connection]) {
      unwatch.push(
        watchRedis(client, redisUrl, timeoutMs, (error) => {
          if (lostRedis) return;
          lostRedis = error;
          say(error.message);
          stop.abort(error.message);
          rejectLost(error);
        }),
      );
    }
    queues = new ExperimentQueues({ connection, prefix: options.prefix });
    if (options.workers) workers = startWorkers({ connection, redis, prefix: options.prefix, resolvePool, log });
    const deps: EngineDeps = { redis, prefix: options.prefix, queues, resolvePool, log, resultsDir: options.resultsDir, profiles: runFileProfiles(runFile) };

    const experiments: ExperimentRecord[] = [];
    const campaigns: { name: string; campaign: MigrationCampaign; status: MigrationCampaignStatus }[] = [];
    const stamp = Date.now().toString(36);
    const work = (async () => {
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
          experiment: (_settings, experiment) => {
            const record: ExperimentRecord = { experiment, runs: [], status: {} };
            experiments.push(record);
            return progress.observer(record.experiment, record);
          },
        }, stop.signal);
        campaigns.push({ name: campaign.metadata.name, campaign, status });
      }
    })();
    work.catch(() => undefined);
    // The engine stops at Ctrl-C (keeping what it recorded) within a bound; a lost Redis ends the wait.
    const giveUp = aborted.catch(() => pause(STOP_TIMEOUT_MS)).then(() => 'timeout' as const);
    const ended = await Promise.race([work.then(() => 'done' as const), redisLost, giveUp]).catch((error: unknown) => {
      if (error instanceof RedisUnavailableError) return 'lost' as const;
      throw error;
    });
    if (ended === 'timeout') say(`the engine did not stop within ${STOP_TIMEOUT_MS / 1000} s; keeping what finished`);
    else if (interrupted) say(`stopped the engine${experiments.length > 0 ? ` (${experiments.map((r) => `${r.experiment.metadata.name}: ${r.status.phase ?? 'unfinished'}`).join(', ')})` : ''}`);
    progress.stop();

    for (const record of experiments) printText(describeExperiment(record));
    for (const campaign of campaigns) printText(describeCampaign(campaign.campaign, campaign.status));
    if (options.json) {
      await writeFile(options.json, `${JSON.stringify({ experiments: experiments.map((r) => ({ name: r.experiment.metadata.name, status: r.status })), campaigns: campaigns.map(({ name, status }) => ({ name, status })) }, null, 2)}\n`);
      if (interrupted || lostRedis) say(`kept what finished in ${options.json}`);
    }
    // What ran is kept in --results-dir (results file and CSV), whatever the outcome; the report renders those.
    const kept = await keepResults(options.resultsDir, runDocuments(experiments, runFile.campaigns.slice(0, campaigns.length).map((campaign, i) => ({ campaign, status: campaigns[i]?.status }))));
    for (const { results } of kept) printText(`results: ${results}`);
    if (options.report && kept.length > 0) {
      const written = await writeReport(options.report, kept);
      for (const path of written) printText(`report: ${path}`);
    }
    if (interrupted) return EXIT.interrupted;
    if (lostRedis) return EXIT.failure;
    const statuses: (MigrationExperimentStatus | MigrationCampaignStatus)[] = [...experiments.map((r) => r.status), ...campaigns.map((c) => c.status)];
    return statuses.every((status) => status.phase === 'Succeeded') ? EXIT.success : EXIT.failure;
  } catch (error) {
    if (interrupted && !(error instanceof InvalidInputError)) {
      say('interrupted before the run started');
      return EXIT.interrupted;
    }
    if (error instanceof RedisUnavailableError) {
      say(error.message);
      return EXIT.failure;
    }
    throw error;
  } finally {
    progress.stop();
    // In order: the load and migration workers, the engine's connections, then the testbed and Redis.
    const tell = (line: string): void => (interrupted || lostRedis ? say(line) : log.info(line));
    if (workers) {
      const closing = workers;
      if ((await bounded(closing.close(lostRedis !== undefined).then(() => true), STOP_TIMEOUT_MS)) === undefined) await bounded(closing.close(true), 5000);
      tell('stopped the load and migration workers');
    }
    for (const stopWatching of unwatch) stopWatching();
    await bounded(queues?.close() ?? Promise.resolve(), 5000);
    redis?.disconnect();
    connection?.disconnect();
    if (testbed) {
      await testbed.stop();
      tell(`stopped the testbed (pid ${testbed.pid})`);
    }
    if (localRedis) {
      await localRedis.stop();
      tell(`stopped Redis (${localRedis.url}, pid ${localRedis.pid})`);
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** --json and --results-dir are writable before anything starts: a run's results are never lost at its end. */
async function checkOutputs(options: RunCommandOptions): Promise<void> {
  const writableDir = async (flag: string, dir: string): Promise<void> => {
    const existing = await stat(dir).catch(() => undefined);
    if (existing && !existing.isDirectory()) throw new InvalidInputError(flag, `cannot write to the directory "${dir}": it is a file, not a directory`);
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
    } catch (error) {
      throw new InvalidInputError(flag, `cannot write to the directory "${dir}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  await writableDir('--results-dir', options.resultsDir);
  for (const [flag, file] of [['--json', options.json], ['--report', options.report]] as const) {
    if (!file) continue;
    const existing = await stat(file).catch(() => undefined);
    if (existing?.isDirectory()) throw new InvalidInputError(flag, `"${file}" is a directory; name a file`);
    if (existing) {
      await access(file, constants.W_OK).catch((error: NodeJS.ErrnoException) => {
        throw new InvalidInputError(flag, `cannot write "${file}": ${error.code ?? error.message}`);
      });
    }
    await writableDir(flag, dirname(file));
  }
}
