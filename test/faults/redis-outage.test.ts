// Redis going away in the middle of a run, two ways: unreachable for 30 s (the server frozen with
// SIGSTOP: connections hang, as behind a partitioned network) and restarted (stopped and started
// again 10 s later on the same port and data directory, as a pod rescheduled with its volume). The
// load keeps measuring through it; what it measured reaches the engine once Redis is back, no
// second counted twice (a shard whose lock lapsed is not driven twice), and the run's status says
// how long Redis was gone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RedisOutage } from '../../src/api/v1alpha1/index.ts';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import type { RunPlan } from '../../src/engine/plan.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import { shortExperiment, startEngineHarness, type EngineHarness } from '../support/engine.ts';
import { recordFault } from './reliability.ts';
import { secondsCovered, shardSeconds } from './shard-seconds.ts';

describe('given an experiment whose migration is done and whose load runs on', () => {
  let harness: EngineHarness;

  beforeEach(async () => {
    harness = await startEngineHarness();
  });
  afterEach(async () => {
    if (harness?.redis.pid) process.kill(harness.redis.pid, 'SIGCONT');
    await harness?.close();
  });

  /**
   * Runs a 50 s experiment, does `fault` to Redis once the migration is done, judges the run and
   * records the case; returns the outage status reports.
   */
  async function runThrough(name: string, faultCase: string, fault: () => Promise<void>): Promise<RedisOutage> {
    const ref = { uid: `exp-${name}`, namespace: 'test', name };
    let plan: RunPlan | undefined;
    const runner = new ExperimentRunner(shortExperiment(harness, { name, steady: '45s' }), ref, harness.deps, { onRunFinished: (_result, _outcome, planned) => void (plan = planned) });
    const running = runner.run();
    await new Promise<void>((resolve) => harness.testbed.migrations.once('migration', () => resolve()));
    await fault();
    const status = await running;
    const shards = await shardSeconds(harness.client, new RunKeys(harness.prefix, ref, 1), 2);
    const { missing, ...seconds } = secondsCovered(plan!, shards);
    expect(status.phase, JSON.stringify(status.conditions)).toBe('Succeeded');
    expect(missing).toEqual([]);
    // Every action a shard completed is in the stream once: none lost, none counted twice.
    for (const shard of shards) expect(shard.streamed, `shard ${shard.shard}`).toBe(shard.end?.completed);
    expect(harness.migrations).toHaveLength(1);
    expect(status.runs?.[0]?.migrations).toMatchObject([{ state: 'Succeeded' }]);
    const outages = status.runs?.[0]?.redisOutages ?? [];
    expect(outages).toHaveLength(1);
    recordFault({
      case: faultCase,
      outcome: `completed; status: redisOutages ${outages[0]!.seconds} s; no action counted twice`,
      seconds,
      migrations: { requested: status.runs?.[0]?.migrations?.length ?? 0, done: harness.migrations.length },
    });
    return outages[0]!;
  }

  it('when Redis is unreachable for 30 s, then the run completes with every second counted once and its status says how long Redis was gone', async () => {
    const outage = await runThrough('frozen', 'Redis unreachable for 30 s', async () => {
      const pid = harness.redis.pid!;
      process.kill(pid, 'SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, 30_000));
      process.kill(pid, 'SIGCONT');
    });
    expect(outage.seconds).toBeGreaterThanOrEqual(25);
    expect(outage.seconds).toBeLessThan(40);
  });

  it('when Redis is stopped and started again 10 s later on the same data, then the run completes with every second counted once and its status says so', async () => {
    const outage = await runThrough('restarted', 'Redis restarted mid-run (down 10 s)', () => harness.redis.restart(10_000));
    expect(outage.seconds).toBeGreaterThanOrEqual(8);
    expect(outage.seconds).toBeLessThan(30);
  });
});
