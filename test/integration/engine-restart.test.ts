// Killing the engine (and its workers) in the middle of a live migration and starting another one
// against the same Redis: the migration is followed, not asked for a second time, the run
// completes, and every second recorded before the kill is still counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashEngineAndTakeOver, shortExperiment, startEngineHarness, type EngineHarness } from '../support/engine.ts';

describe('given an engine process in the middle of a run', () => {
  let harness: EngineHarness;

  beforeAll(async () => {
    harness = await startEngineHarness({ workers: false });
  });
  afterAll(async () => harness?.close());

  it('when it is killed during the migration and another engine takes over, then the migration runs once and nothing recorded is lost', async () => {
    const experiment = shortExperiment(harness, { name: 'restarted', steady: '14s' });
    const ref = { uid: 'exp-restart', namespace: 'test', name: 'restarted' };
    // Killed once the testbed says the migration is in pre-copy or stop-and-copy: mid-migration.
    const { status, recordedBeforeKill, recorded } = await crashEngineAndTakeOver(harness, experiment, ref, {
      run: 1,
      crashWhen: (output) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`the migration never started; engine said:\n${output()}`)), 60_000);
          harness.testbed.migrations.once('phase', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    });
    expect(recordedBeforeKill).toBeGreaterThan(0);

    expect(status.phase).toBe('Succeeded');
    expect(status.completedRuns).toBe(1);
    expect(harness.migrations).toHaveLength(1);
    expect(status.runs?.[0]?.migrations?.[0]?.state).toBe('Succeeded');
    expect(status.runs?.[0]?.migrations?.[0]?.destination).toBe(harness.migrations[0]?.destination);
    // The second engine followed the task the first one had recorded instead of asking again.
    expect(status.runs?.[0]?.migrations?.[0]?.message).toMatch(/followed, not repeated/);
    expect(await recorded()).toBeGreaterThanOrEqual(recordedBeforeKill);
    const counted = (status.runs?.[0]?.actions ?? []).reduce((sum, action) => sum + action.count, 0);
    expect(counted).toBeGreaterThan(0);
  });
});
