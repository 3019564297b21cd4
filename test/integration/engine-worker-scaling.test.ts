// Several `migrascope worker` processes sharing one run, as a Deployment scaled to three replicas
// would: the run's shards spread over them (each takes its fair share, though BullMQ would let the
// first one take all), the percentiles the engine merged from their seconds are those `migrascope
// analyze` computes from their request logs put together, and a worker whose clock is off refuses
// its shard with the reason, which the others then run; with no worker in bound the run fails
// with that reason.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MigrationExperimentStatus } from '../../src/api/v1alpha1/index.ts';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import type { ShardEnd } from '../../src/engine/load-worker.ts';
import type { RunPlan } from '../../src/engine/plan.ts';
import { slaOptions } from '../../src/engine/run-analysis.ts';
import type { RunEvent } from '../../src/engine/run-monitor.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import { analyzeRequestLog } from '../../src/sla/index.ts';
import { shortExperiment, spawnWorkerProcess, startEngineHarness, type EngineHarness, type WorkerProcess } from '../support/engine.ts';

describe('given three worker processes taking jobs from one Redis', () => {
  let harness: EngineHarness;
  let workers: WorkerProcess[] = [];

  beforeEach(async () => {
    harness = await startEngineHarness({ workers: false });
  });
  afterEach(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    workers = [];
    await harness?.close();
  });

  /** Starts the processes one after the other: the first has waited on the queue the longest, so BullMQ offers it the first job. */
  async function startWorkers(...options: Parameters<typeof spawnWorkerProcess>[1][]): Promise<string[]> {
    const ids: string[] = [];
    for (const option of options) {
      const worker = spawnWorkerProcess(harness, option);
      workers.push(worker);
      ids.push(await worker.id);
    }
    return ids;
  }

  async function run(name: string, overrides: Parameters<typeof shortExperiment>[1]) {
    const ref = { uid: `exp-${name}`, namespace: 'test', name };
    const events: RunEvent[] = [];
    let plan: RunPlan | undefined;
    const runner = new ExperimentRunner(shortExperiment(harness, { name, ...overrides }), ref, harness.deps, {
      onEvent: (event) => void events.push(event),
      onRunFinished: (_result, _outcome, planned) => void (plan = planned),
    });
    const status: MigrationExperimentStatus = await runner.run();
    const ends = Object.values(await harness.client.hgetall(new RunKeys(harness.prefix, ref, 1).shards)).map((text) => JSON.parse(text) as ShardEnd);
    return { status, events, plan: plan!, runner, ends: ends.sort((a, b) => a.shard - b.shard) };
  }

  it('when a run has six drivers, then each process drives two shards and the merged percentiles are those of the combined request logs', async () => {
    const ids = await startWorkers({}, {}, {});
    const { status, plan, runner, ends } = await run('spread', { users: 30, drivers: 6, steady: '14s', requestLog: true });

    expect(status.phase, JSON.stringify(status.conditions)).toBe('Succeeded');
    expect(ends.map((end) => end.state)).toEqual(Array(6).fill('done'));
    const byWorker = new Map(ids.map((id) => [id, ends.filter((end) => end.worker === id).map((end) => end.shard)]));
    expect([...byWorker.values()].map((shards) => shards.length), JSON.stringify([...byWorker])).toEqual([2, 2, 2]);

    // The six shards' logs as one, judged as `migrascope analyze` judges a log, over the run's steady state.
    const dir = harness.deps.resultsDir!;
    const logs = (await readdir(dir)).filter((file) => file.startsWith('spread-run1-shard')).sort();
    expect(logs).toHaveLength(6);
    const combined = join(dir, 'spread-run1-combined.jsonl');
    await writeFile(combined, (await Promise.all(logs.map((file) => readFile(join(dir, file), 'utf8')))).join(''));
    const sla = slaOptions(runner.experiment.spec.sla, plan);
    const fromLogs = await analyzeRequestLog(combined, {
      window: sla.window,
      step: sla.step,
      percentiles: sla.percentiles,
      thresholds: sla.thresholds,
      start: { at: sla.start },
      end: { at: sla.end },
      onCorrupt: (line, reason) => expect.fail(`combined log line ${line}: ${reason}`),
    });
    const actions = status.runs?.[0]?.actions ?? [];
    expect(actions.length).toBeGreaterThan(3);
    for (const action of actions) {
      const logged = fromLogs.actions[action.action];
      expect(logged?.count, action.action).toBe(action.count);
      expect(logged?.errors, action.action).toBe(action.errors);
      for (const { percentile, maxSeconds, violations } of action.percentiles) {
        const loggedMs = logged?.max[String(percentile)];
        expect(loggedMs == null ? undefined : loggedMs / 1000, `${action.action} p${percentile}`).toBe(maxSeconds);
        expect(logged?.violations[String(percentile)], `${action.action} p${percentile} violations`).toBe(violations);
      }
    }
  });

  it('when one of them has its clock 5 s ahead of Redis, then it refuses the shard it is offered, the others run the run and its migration, and the reason is told', async () => {
    const [skewed] = await startWorkers({ clockOffsetMs: 5000, maxClockOffsetMs: 1000, logLevel: 'warn' }, {}, {});
    const { status, events, ends } = await run('skewed', { users: 12, drivers: 3, steady: '8s', migrations: { offsets: ['2s'], destination: { policy: 'roundRobin' }, timeout: '1m' } });

    expect(status.phase, JSON.stringify(status.conditions)).toBe('Succeeded');
    // Whichever worker BullMQ offered the migration first, one in bound performed it, once.
    expect(status.runs?.[0]?.migrations?.map((migration) => migration.state)).toEqual(['Succeeded']);
    expect(harness.migrations).toHaveLength(1);
    for (const line of workers[0]!.log().split('\n').filter((text) => text.includes('"migration"'))) expect(line).toContain('handed back for a worker in bound');
    expect(ends.map((end) => end.state)).toEqual(['done', 'done', 'done']);
    expect(ends.filter((end) => end.worker === skewed)).toEqual([]);
    const refused = events.filter((event) => event.reason === 'ShardRefused');
    expect(refused.length, JSON.stringify(events)).toBeGreaterThan(0);
    expect(refused[0]?.message).toMatch(new RegExp(`^worker ${skewed} refused load shard \\d: this worker's clock is (4\\.9\\d*|5(\\.0\\d*)?) s ahead of Redis's \\(TIME\\), more than --max-clock-offset 1 s`));
    expect(workers[0]!.log()).toContain('ahead of Redis');
  });

  it('when the only worker has its clock off, then the shards fail, its migration is not started, and the run says why', async () => {
    await startWorkers({ clockOffsetMs: -3000, maxClockOffsetMs: 1000 });
    const { status, ends } = await run('alone', { users: 4, drivers: 2, steady: '6s', migrations: { offsets: ['2s'], destination: { policy: 'roundRobin' }, timeout: '1m' } });

    expect(status.phase).toBe('Failed');
    expect(ends.map((end) => end.state)).toEqual(['failed', 'failed']);
    const message = status.conditions?.find((condition) => condition.type === 'Ready')?.message ?? '';
    expect(message).toMatch(/load shard \d failed: not started: this worker's clock is (2\.9\d*|3(\.0\d*)?) s behind Redis's \(TIME\).*no other live worker has its clock in bound/);
    const [migration] = status.runs?.[0]?.migrations ?? [];
    expect(migration).toMatchObject({ index: 1, state: 'Failed' });
    expect(migration?.message).toMatch(/^not started: this worker's clock is (2\.9\d*|3(\.0\d*)?) s behind Redis's \(TIME\).*no other live worker has its clock in bound$/);
    expect(harness.migrations).toEqual([]);
  });
});
