// One short experiment through the real engine with something done to Redis once its migration is
// done, judged as the faults suite judges every Redis case: the run succeeds, every second of it
// was recorded by every shard, every action a shard completed is in the stream once (none lost,
// none counted twice), and the pool performed the one migration asked of it, once.
import { expect } from 'vitest';
import type { MigrationExperimentStatus } from '../../src/api/v1alpha1/index.ts';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import type { RunPlan } from '../../src/engine/plan.ts';
import type { RedisClient } from '../../src/queue/redis-connection.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import { shortExperiment, type EngineHarness } from '../support/engine.ts';
import { secondsCovered, shardSeconds } from './shard-seconds.ts';

export interface FaultedRun {
  status: MigrationExperimentStatus;
  seconds: { recorded: number; expected: number };
  migrations: { requested: number; done: number };
}

/** Runs experiment `name` (`steady` of steady state) and does `fault` once its migration is done. */
export async function runThroughFault(
  harness: Pick<EngineHarness, 'testbed' | 'deps' | 'prefix' | 'migrations'> & { client: RedisClient },
  name: string,
  steady: string,
  fault: () => Promise<void>,
): Promise<FaultedRun> {
  const ref = { uid: `exp-${name}`, namespace: 'test', name };
  let plan: RunPlan | undefined;
  const runner = new ExperimentRunner(shortExperiment(harness, { name, steady }), ref, harness.deps, { onRunFinished: (_result, _outcome, planned) => void (plan = planned) });
  const running = runner.run();
  await new Promise<void>((resolve) => harness.testbed.migrations.once('migration', () => resolve()));
  await fault();
  const faultOverMs = Date.now();
  const status = await running;
  const shards = await shardSeconds(harness.client, new RunKeys(harness.prefix, ref, 1), 2);
  const { missing, ...seconds } = secondsCovered(plan!, shards);
  // The fault was over while the load still ran: what follows judges a run that lived through it.
  expect(plan!.startAtMs + plan!.rampUpMs + plan!.steadyMs + plan!.rampDownMs).toBeGreaterThan(faultOverMs);
  expect(status.phase, JSON.stringify(status.conditions)).toBe('Succeeded');
  expect(missing, JSON.stringify(shards.map(({ seconds: _, ...shard }) => shard))).toEqual([]);
  for (const shard of shards) expect(shard.streamed, `shard ${shard.shard}`).toBe(shard.end?.completed);
  expect(harness.migrations).toHaveLength(1);
  expect(status.runs?.[0]?.migrations).toMatchObject([{ state: 'Succeeded' }]);
  return { status, seconds, migrations: { requested: status.runs?.[0]?.migrations?.length ?? 0, done: harness.migrations.length } };
}
