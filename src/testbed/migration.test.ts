import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSentAt, LiveMigration, type GuestControl, type MigrationPhase } from './migration.ts';
import { predictPreCopy, type PreCopyPrediction } from './precopy-model.ts';

/** A guest that records what the migration did to it. */
function recordingGuest(): GuestControl & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    enterPrecopy: () => calls.push('enterPrecopy'),
    freeze: () => calls.push('freeze'),
    resume: () => calls.push('resume'),
  };
}

function phaseReached(migration: LiveMigration, phase: MigrationPhase): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (migration.phase !== phase) return;
      clearInterval(poll);
      resolve();
    }, 1);
  });
}

/** 10 MB over 100 MB/s: 20 ms setup, 100 ms of pre-copy rounds, 50 ms (+ copy) down. */
function shortPrediction(): PreCopyPrediction {
  return predictPreCopy({
    memoryBytes: 10e6,
    bandwidthBytesPerSecond: 100e6,
    dirtyRateBytesPerSecond: 20e6,
    writableWorkingSetBytes: 1e6,
    setupMs: 20,
    resumeOverheadMs: 50,
  });
}

describe('Given a pre-copy prediction', () => {
  const predictions = fc
    .record({
      memoryBytes: fc.integer({ min: 1e6, max: 8e9 }),
      bandwidthBytesPerSecond: fc.integer({ min: 1e6, max: 2e9 }),
      dirtyRateBytesPerSecond: fc.integer({ min: 0, max: 1e9 }),
      wwsFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ wwsFraction, ...input }) =>
      predictPreCopy({ ...input, writableWorkingSetBytes: Math.floor(input.memoryBytes * wwsFraction) }),
    );

  it('When sampled over time, Then bytes sent start at 0, never decrease and end at bytesSent', () => {
    fc.assert(
      fc.property(predictions, fc.array(fc.double({ min: 0, max: 1.2, noNaN: true }), { minLength: 2 }), (p, fractions) => {
        const totalMs = p.totalSeconds * 1000;
        const samples = fractions.sort((a, b) => a - b).map((f) => bytesSentAt(p, f * totalMs));
        for (let i = 1; i < samples.length; i++) expect(samples[i]).toBeGreaterThanOrEqual((samples[i - 1] ?? 0) - 1e-6);
        expect(bytesSentAt(p, 0)).toBe(0);
        expect(bytesSentAt(p, totalMs)).toBeCloseTo(p.bytesSent, 0);
      }),
    );
  });

  it('When setup is over, Then the first round has started moving the whole memory', () => {
    fc.assert(
      fc.property(predictions, (p) => {
        const firstRound = p.rounds[0];
        if (!firstRound) return;
        const middle = (p.setupSeconds + firstRound.seconds / 2) * 1000;
        expect(bytesSentAt(p, middle)).toBeCloseTo(firstRound.bytes / 2, -1);
      }),
    );
  });
});

describe('Given a live migration with a guest', () => {
  describe('When it runs to the end', () => {
    it('Then the guest goes pre-copy, frozen, resumed, in that order, with the VM moved at resume', async () => {
      const guest = recordingGuest();
      const phases: MigrationPhase[] = [];
      const progress: number[] = [];
      const migration = LiveMigration.start({
        prediction: shortPrediction(),
        guest,
        tickMs: 10,
        onPhase: (phase) => phases.push(phase),
        onProgress: (sent) => progress.push(sent),
        onResume: () => guest.calls.push('VM moved'),
      });
      const timeline = await migration.done;
      expect(guest.calls).toEqual(['enterPrecopy', 'freeze', 'resume', 'VM moved']);
      expect(phases).toEqual(['setup', 'precopy', 'stop-and-copy', 'completed']);
      expect(timeline.outcome).toBe('completed');
      expect(progress.at(-1)).toBe(migration.prediction.bytesSent);
      expect(progress.length).toBeGreaterThan(3);
    });

    it('Then the phases follow one another and the freeze lasts at least the modeled downtime', async () => {
      const timeline = await LiveMigration.start({ prediction: shortPrediction() }).done;
      const { startedAt, precopyStartedAt = 0, frozenAt = 0, resumedAt = 0, endedAt } = timeline;
      expect(startedAt).toBeLessThanOrEqual(precopyStartedAt);
      expect(precopyStartedAt).toBeLessThanOrEqual(frozenAt);
      expect(frozenAt).toBeLessThan(resumedAt);
      expect(resumedAt).toBeLessThanOrEqual(endedAt);
      expect(timeline.downtimeMs).toBeGreaterThanOrEqual(timeline.modeledDowntimeMs - 1);
    });
  });

  describe('When it is cancelled during pre-copy', () => {
    it('Then it stops, the guest runs normally again and the VM never moves', async () => {
      const guest = recordingGuest();
      const migration = LiveMigration.start({ prediction: shortPrediction(), guest, onResume: () => guest.calls.push('VM moved') });
      await phaseReached(migration, 'precopy');
      expect(migration.cancel()).toBe(true);
      const timeline = await migration.done;
      expect(timeline.outcome).toBe('cancelled');
      expect(timeline.frozenAt).toBeUndefined();
      expect(guest.calls).toEqual(['enterPrecopy', 'resume']);
    });
  });

  describe('When a cancel comes after the VM was paused', () => {
    it('Then it is refused and the migration completes', async () => {
      const migration = LiveMigration.start({ prediction: shortPrediction(), tickMs: 5 });
      await phaseReached(migration, 'stop-and-copy');
      expect(migration.cancel()).toBe(false);
      expect((await migration.done).outcome).toBe('completed');
    });
  });

  describe('When the testbed shuts down mid-freeze', () => {
    it('Then interrupt ends it as cancelled and unfreezes the guest', async () => {
      const guest = recordingGuest();
      const migration = LiveMigration.start({ prediction: shortPrediction(), guest, tickMs: 5 });
      await phaseReached(migration, 'stop-and-copy');
      migration.interrupt();
      expect((await migration.done).outcome).toBe('cancelled');
      expect(guest.calls).toEqual(['enterPrecopy', 'freeze', 'resume']);
    });
  });
});
