// Killing the engine (and its workers) in the middle of a live migration and starting another one
// against the same Redis: the migration is followed, not asked for a second time, the run
// completes, and every second recorded before the kill is still counted.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import { shortExperiment, spawnEngineProcess, startEngineHarness, type EngineHarness } from '../support/engine.ts';

describe('given an engine process in the middle of a run', () => {
  let harness: EngineHarness;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    // Only the restarted engine's workers may take jobs: the harness's own are not running yet.
    harness = await startEngineHarness({ workers: false });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await harness?.close();
  });

  it('when it is killed during the migration and another engine takes over, then the migration runs once and nothing recorded is lost', async () => {
    const experiment = shortExperiment(harness, { name: 'restarted', steady: '14s' });
    const ref = { uid: 'exp-restart', namespace: 'test', name: 'restarted' };
    child = spawnEngineProcess(harness, experiment, ref.uid);
    let output = '';
    // Kill it once the testbed says the migration is in stop-and-copy or pre-copy: mid-migration.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the migration never started; engine said:\n${output}`)), 60_000);
      child?.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      harness.testbed.migrations.once('phase', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
    const keys = new RunKeys(harness.prefix, ref, 1);
    const recordedBeforeKill = await harness.client.xlen(keys.seconds);
    expect(recordedBeforeKill).toBeGreaterThan(0);

    await harness.restartWorkers();
    const status = await new ExperimentRunner(experiment, ref, harness.deps).run();

    expect(status.phase).toBe('Succeeded');
    expect(status.completedRuns).toBe(1);
    expect(harness.migrations).toHaveLength(1);
    expect(status.runs?.[0]?.migrations?.[0]?.state).toBe('Succeeded');
    expect(status.runs?.[0]?.migrations?.[0]?.destination).toBe(harness.migrations[0]?.destination);
    // The second engine followed the task the first one had recorded instead of asking again.
    expect(status.runs?.[0]?.migrations?.[0]?.message).toMatch(/followed, not repeated/);
    expect(await harness.client.xlen(keys.seconds)).toBeGreaterThanOrEqual(recordedBeforeKill);
    const counted = (status.runs?.[0]?.actions ?? []).reduce((sum, action) => sum + action.count, 0);
    expect(counted).toBeGreaterThan(0);
  });
});
