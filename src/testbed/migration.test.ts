import { describe, expect, it } from 'vitest';
import { MigrationLinks } from './migration-links.ts';
import { LiveMigration, type GuestControl, type MigrationPhase } from './migration.ts';
import { predictPreCopy, type PreCopyInput } from './precopy-model.ts';

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
function shortInput(): PreCopyInput {
  return {
    memoryBytes: 10e6,
    bandwidthBytesPerSecond: 100e6,
    dirtyRateBytesPerSecond: 20e6,
    writableWorkingSetBytes: 1e6,
    setupMs: 20,
    resumeOverheadMs: 50,
  };
}

describe('Given a live migration with a guest', () => {
  describe('When it runs to the end', () => {
    it('Then the guest goes pre-copy, frozen, resumed, in that order, with the VM moved at resume', async () => {
      const guest = recordingGuest();
      const phases: MigrationPhase[] = [];
      const progress: number[] = [];
      const migration = LiveMigration.start({
        input: shortInput(),
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
      expect(progress.at(-1)).toBe(timeline.model?.bytesSent);
      expect(timeline.model).toEqual(predictPreCopy(shortInput()));
      expect(progress.length).toBeGreaterThan(3);
    });

    it('Then the phases follow one another and the freeze lasts at least the modeled downtime', async () => {
      const timeline = await LiveMigration.start({ input: shortInput() }).done;
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
      const migration = LiveMigration.start({ input: shortInput(), guest, onResume: () => guest.calls.push('VM moved') });
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
      const migration = LiveMigration.start({ input: shortInput(), tickMs: 5 });
      await phaseReached(migration, 'stop-and-copy');
      expect(migration.cancel()).toBe(false);
      expect((await migration.done).outcome).toBe('completed');
    });
  });

  describe('When the testbed shuts down mid-freeze', () => {
    it('Then interrupt ends it as cancelled and unfreezes the guest', async () => {
      const guest = recordingGuest();
      const migration = LiveMigration.start({ input: shortInput(), guest, tickMs: 5 });
      await phaseReached(migration, 'stop-and-copy');
      migration.interrupt();
      expect((await migration.done).outcome).toBe('cancelled');
      expect(guest.calls).toEqual(['enterPrecopy', 'freeze', 'resume']);
    });
  });
});

describe('Given two live migrations into the same host, whose link they share', () => {
  it('When they copy at once, Then each moves at half the link while the other copies, and alone again after', async () => {
    const links = new MigrationLinks(() => 100e6);
    const small = { ...shortInput(), dirtyRateBytesPerSecond: 0, writableWorkingSetBytes: 0, setupMs: 0 };
    const big = { ...small, memoryBytes: 20e6 };
    const [first, second] = await Promise.all([
      LiveMigration.start({ input: small, links: links.between('a', 'c') }).done,
      LiveMigration.start({ input: big, links: links.between('b', 'c') }).done,
    ]);
    // 10 MB at 50 MB/s (0.2 s) while both copy; then the big one has 10 MB left, alone at 100 MB/s.
    expect(first.model?.rounds[0]?.seconds).toBeCloseTo(0.2, 1);
    expect(second.model?.rounds[0]?.seconds).toBeCloseTo(0.3, 1);
    expect(second.model?.rounds[0]?.seconds).toBeGreaterThan(predictPreCopy(big).precopySeconds + 0.05);
  });
});
