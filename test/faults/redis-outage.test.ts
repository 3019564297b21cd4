// Redis going away in the middle of a run, two ways: unreachable for 30 s (the server frozen with
// SIGSTOP: connections hang, as behind a partitioned network) and restarted (stopped and started
// again 10 s later on the same port and data directory, as a pod rescheduled with its volume). The
// load keeps measuring through it; what it measured reaches the engine once Redis is back, no
// second counted twice (a shard whose lock lapsed is not driven twice), and the run's status says
// how long Redis was gone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RedisOutage } from '../../src/api/v1alpha1/index.ts';
import { startEngineHarness, type EngineHarness } from '../support/engine.ts';
import { recordFault } from './reliability.ts';
import { runThroughFault } from './run-through-fault.ts';

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
    const { status, seconds, migrations } = await runThroughFault(harness, name, '45s', fault);
    const outages = status.runs?.[0]?.redisOutages ?? [];
    expect(outages).toHaveLength(1);
    recordFault({ case: faultCase, outcome: `completed; status: redisOutages ${outages[0]!.seconds} s; no action counted twice`, seconds, migrations });
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
