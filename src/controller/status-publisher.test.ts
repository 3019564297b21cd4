// The publisher's write is a plain function here: what is under test is the order, the coalescing
// and the retries of the writes, not the API server (the end-to-end tests write to a real one).
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.ts';
import { StatusPublisher, mergePatchOf } from './status-publisher.ts';

const log = createLogger({ level: 'silent' });

describe('Given a status and the next one', () => {
  it('then the merge patch sends the new fields and null for those that went away', () => {
    expect(mergePatchOf({ phase: 'RampDown', currentRun: 1, runs: [] }, { phase: 'Succeeded', runs: [], completionTime: 't' })).toEqual({
      phase: 'Succeeded',
      runs: [],
      completionTime: 't',
      currentRun: null,
    });
  });

  it('then an undefined field is not sent unless it was there before', () => {
    expect(mergePatchOf(undefined, { phase: 'Pending', summary: undefined })).toEqual({ phase: 'Pending' });
    expect(mergePatchOf({ summary: {} }, { phase: 'Pending', summary: undefined })).toEqual({ phase: 'Pending', summary: null });
  });
});

describe('Given a publisher whose writes are slow', () => {
  it('when statuses come faster than writes, then they are written in order and the latest always lands', async () => {
    const written: unknown[] = [];
    const publisher = new StatusPublisher(
      async (patch) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        written.push(patch.phase);
      },
      undefined,
      { log },
    );
    for (const phase of ['Preparing', 'RampUp', 'SteadyState', 'Migrating', 'RampDown']) publisher.publish({ phase });
    expect(await publisher.flush(2000)).toBe(true);
    expect(written[0]).toBe('Preparing');
    expect(written.at(-1)).toBe('RampDown');
    expect(written.length).toBeLessThan(5); // the ones in between were skipped, not queued
  });
});

describe('Given a publisher whose writes fail for a while', () => {
  it('when the API server comes back, then the latest status is written', async () => {
    let failures = 3;
    const written: unknown[] = [];
    const publisher = new StatusPublisher(
      async (patch) => {
        if (failures-- > 0) throw new Error('connection refused');
        written.push(patch);
      },
      { currentRun: 1 },
      { log, retryMs: 10, maxRetryMs: 20 },
    );
    publisher.publish({ phase: 'Succeeded' });
    expect(await publisher.flush(2000)).toBe(true);
    expect(written).toEqual([{ phase: 'Succeeded', currentRun: null }]);
  });

  it('when it is closed (leadership lost), then it stops trying and flush says nothing landed', async () => {
    let attempts = 0;
    const publisher = new StatusPublisher(
      async () => {
        attempts += 1;
        throw new Error('down');
      },
      undefined,
      { log, retryMs: 10, maxRetryMs: 10 },
    );
    publisher.publish({ phase: 'RampUp' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    publisher.close();
    const seen = attempts;
    expect(await publisher.flush(100)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(attempts).toBeLessThanOrEqual(seen + 1);
    publisher.publish({ phase: 'SteadyState' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(attempts).toBeLessThanOrEqual(seen + 1);
  });
});
