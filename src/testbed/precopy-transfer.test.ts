import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { predictPreCopy, type PreCopyInput } from './precopy-model.ts';
import { PreCopyTransfer } from './precopy-transfer.ts';

const inputs = fc
  .record({
    memoryBytes: fc.integer({ min: 1e6, max: 8e9 }),
    bandwidthBytesPerSecond: fc.integer({ min: 1e6, max: 2e9 }),
    dirtyRateBytesPerSecond: fc.integer({ min: 0, max: 1e9 }),
    wwsFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ wwsFraction, ...input }): PreCopyInput => ({ ...input, writableWorkingSetBytes: Math.floor(input.memoryBytes * wwsFraction) }));

/** Drives a transfer copy by copy at one rate, as LiveMigration does when it is alone. */
function runAlone(input: PreCopyInput, bytesPerSecond: number): PreCopyTransfer {
  const transfer = new PreCopyTransfer(input);
  while (transfer.stage !== 'done') transfer.advance(transfer.secondsToCopyEnd(bytesPerSecond), bytesPerSecond);
  return transfer;
}

describe('Given a pre-copy transfer', () => {
  it('When it has its link to itself, Then it does exactly what the constant-bandwidth prediction says', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        expect(runAlone(input, input.bandwidthBytesPerSecond).outcome()).toEqual(predictPreCopy(input));
      }),
    );
  });

  it('When it gets half the link throughout, Then it is the prediction at half the bandwidth', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const half = input.bandwidthBytesPerSecond / 2;
        expect(runAlone(input, half).outcome()).toEqual(predictPreCopy({ ...input, bandwidthBytesPerSecond: half }));
      }),
    );
  });

  it('When advanced in uneven slices, Then bytes sent never decrease and end at what the outcome says', () => {
    fc.assert(
      fc.property(inputs, fc.array(fc.double({ min: 0.05, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 20 }), (input, slices) => {
        const transfer = new PreCopyTransfer(input);
        let previous = 0;
        for (let i = 0; transfer.stage !== 'done'; i += 1) {
          // A fraction of what the copy under way still takes, so slices cross copy ends now and then.
          const fraction = slices[i % slices.length] ?? 1;
          transfer.advance(fraction * transfer.secondsToCopyEnd(input.bandwidthBytesPerSecond) + 1e-9, input.bandwidthBytesPerSecond);
          expect(transfer.bytesSent).toBeGreaterThanOrEqual(previous - 1e-6);
          previous = transfer.bytesSent;
        }
        expect(transfer.bytesSent).toBeCloseTo(transfer.outcome().bytesSent, -1);
      }),
      { numRuns: 50 },
    );
  });

  it('When the share drops mid-round, Then that round lasts longer and the guest dirties more before stop-and-copy', () => {
    // 1 GB at 100 MB/s, 20 MB/s dirty, W 500 MB: alone the first round takes 10 s and leaves 200 MB dirty.
    const input: PreCopyInput = { memoryBytes: 1e9, bandwidthBytesPerSecond: 100e6, dirtyRateBytesPerSecond: 20e6, writableWorkingSetBytes: 500e6 };
    const transfer = new PreCopyTransfer(input);
    transfer.advance(5, 100e6); // half the memory alone
    transfer.advance(transfer.secondsToCopyEnd(50e6), 50e6); // the other half at a shared 50 MB/s: 10 s
    expect(transfer.stage).toBe('precopy');
    expect(transfer.remainingInCopy).toBe(300e6); // 15 s x 20 MB/s
    while (transfer.stage !== 'done') transfer.advance(transfer.secondsToCopyEnd(100e6), 100e6);
    const shared = transfer.outcome();
    const alone = predictPreCopy(input);
    expect(shared.rounds[0]).toEqual({ bytes: 1e9, seconds: 15 });
    expect(shared.bytesSent).toBeGreaterThan(alone.bytesSent);
  });
});
