// A load worker process lost in the middle of a run, as a node failure (SIGKILL) or a stalled node
// (SIGSTOP past the lock, then SIGCONT) would lose it: its shards are taken over by another worker
// once their BullMQ lock lapses (5 s here), the run completes, and the seconds the shards' users
// went unmeasured in between are in status (loadGaps) and a Warning event, never merged as if the
// run were complete. A frozen worker that wakes up finds its shards owned by their new attempts:
// it stops, and nothing it measured after the takeover is counted.
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import type { RunPlan } from '../../src/engine/plan.ts';
import type { RunEvent } from '../../src/engine/run-monitor.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import { shortExperiment, spawnWorkerProcess, startEngineHarness, type EngineHarness } from '../support/engine.ts';
import { waitFor } from '../support/processes.ts';
import { recordFault } from './reliability.ts';
import { secondsCovered, shardSeconds } from './shard-seconds.ts';

describe('given a run whose two load shards are driven by a worker process of their own', () => {
  let harness: EngineHarness;
  let worker: ChildProcess | undefined;

  beforeEach(async () => {
    // Only the worker process takes jobs at first: the harness's own workers start after it has them.
    harness = await startEngineHarness({ workers: false });
  });
  afterEach(async () => {
    worker?.kill('SIGKILL');
    await harness?.close();
  });

  /** Runs a 35 s experiment, does `fault` to the worker process once both shards measure, judges the run and records the case. */
  async function runThrough(name: string, faultCase: string, fault: (worker: ChildProcess) => Promise<void>): Promise<void> {
    const spawned = spawnWorkerProcess(harness, { loadConcurrency: 2 });
    const child = spawned.child;
    worker = child;
    await spawned.id;

    const ref = { uid: `exp-${name}`, namespace: 'test', name };
    const keys = new RunKeys(harness.prefix, ref, 1);
    let plan: RunPlan | undefined;
    const events: RunEvent[] = [];
    const experiment = shortExperiment(harness, { name, steady: '30s', migrations: { offsets: ['15s'], destination: { policy: 'roundRobin' }, timeout: '1m' } });
    const running = new ExperimentRunner(experiment, ref, harness.deps, {
      onRunFinished: (_result, _outcome, planned) => void (plan = planned),
      onEvent: (event) => void events.push(event),
    }).run();
    // Both shards measuring in the worker process: each has sent a few seconds.
    await waitFor('both shards to send seconds', async () => (await shardSeconds(harness.client, keys, 2)).every((shard) => shard.seconds.size >= 3), 30_000);
    await harness.restartWorkers();
    await fault(child);
    const status = await running;

    const run = status.runs?.[0];
    expect(status.phase, JSON.stringify(status.conditions)).toBe('Succeeded');
    expect(harness.migrations).toHaveLength(1);
    expect(run?.migrations).toMatchObject([{ state: 'Succeeded' }]);
    const gaps = run?.loadGaps ?? [];
    expect(gaps.map((gap) => gap.shard).sort()).toEqual([0, 1]);
    for (const gap of gaps) {
      expect(gap.seconds).toBeGreaterThanOrEqual(3); // the lock (5 s) had to lapse first
      expect(gap.seconds).toBeLessThan(20);
    }
    expect(events.filter((event) => event.reason === 'LoadGap')).toHaveLength(2);
    const shards = await shardSeconds(harness.client, keys, 2);
    for (const shard of shards) {
      expect(shard.end?.state, `shard ${shard.shard}`).toBe('done');
      expect(shard.takenOver).toBe(true);
      // What the shard's last attempt completed is what came after the takeover: nothing else.
      expect(shard.sinceTakeover, `shard ${shard.shard}`).toBe(shard.end?.completed);
    }
    const { missing, ...seconds } = secondsCovered(plan!, shards);
    // The gaps status reports cover every second a shard sent nothing for.
    const first = Math.floor(plan!.startAtMs / 1000);
    const reported = new Set(gaps.flatMap((gap) => Array.from({ length: gap.seconds }, (_, i) => Date.parse(gap.startTime) / 1000 + i - first)));
    expect(missing.filter((second) => !reported.has(second))).toEqual([]);
    recordFault({
      case: faultCase,
      outcome: `completed; shards taken over by another worker; status: loadGaps ${gaps.map((gap) => `shard ${gap.shard} ${gap.seconds} s`).join(', ')}`,
      seconds,
      migrations: { requested: run?.migrations?.length ?? 0, done: harness.migrations.length },
    });
  }

  it('when it is SIGKILLed mid-run, then another worker takes its shards over and the run records the seconds they went unmeasured', async () => {
    await runThrough('worker-killed', 'A load worker SIGKILLed mid-run', async (child) => {
      child.kill('SIGKILL');
    });
  });

  it('when it freezes past its lock and wakes up, then its shards stay with the worker that took them over and nothing it measured after is counted', async () => {
    await runThrough('worker-frozen', 'A load worker frozen for 12 s (SIGSTOP) mid-run', async (child) => {
      child.kill('SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      child.kill('SIGCONT');
    });
    expect(worker?.exitCode).toBeNull(); // it woke up and went on: only its shards stopped
  });
});
