import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../invalid/index.ts';
import { CLOUDSTONE_THRESHOLDS_MS, percentilesFrom, slaSpecFrom } from './thresholds.ts';

function refusal(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('Given the Cloudstone SLA', () => {
  it('Then it is the study’s thresholds, in ms', () => {
    expect(CLOUDSTONE_THRESHOLDS_MS).toEqual({
      HomePage: 1000,
      Login: 1000,
      TagSearch: 2000,
      EventDetail: 2000,
      PersonDetail: 2000,
      AddPerson: 3000,
      AddEvent: 4000,
    });
  });
});

describe('Given an SLA document', () => {
  it('When complete, Then durations become ms and percentiles a sorted list', () => {
    expect(slaSpecFrom({ thresholds: { HomePage: '1s', Login: '750ms' }, window: '1m', step: '5s', percentiles: [99, 90] }, 'sla.yaml')).toEqual({
      thresholds: { HomePage: 1000, Login: 750 },
      window: 60_000,
      step: 5000,
      percentiles: [90, 99],
    });
  });

  it('When only thresholds are given, Then the rest is left to the defaults', () => {
    expect(slaSpecFrom({ thresholds: { A: '2s' } }, 'sla.yaml')).toEqual({ thresholds: { A: 2000 } });
  });

  it.each([
    [null, 'sla.yaml'],
    [{ thresholds: { A: '2 parsecs' } }, 'sla.yaml: thresholds.A'],
    [{ thresholds: { A: true } }, 'sla.yaml: thresholds.A'],
    [{ thresholds: {} }, 'sla.yaml: thresholds'],
    [{ thresholds: { A: '1s' }, step: '250ms' }, 'sla.yaml: step'],
    [{ thresholds: { A: '1s' }, windows: '5m' }, 'sla.yaml: windows'],
  ])('When it is %j, Then it is refused naming %s', (document, field) => {
    expect(refusal(() => slaSpecFrom(document, 'sla.yaml')).field).toBe(field);
  });
});

describe('Given percentiles as text', () => {
  it('Then "90, 99,99.9" reads as [90, 99, 99.9] and out-of-range ones are refused', () => {
    expect(percentilesFrom('--percentiles', '90, 99,99.9')).toEqual([90, 99, 99.9]);
    expect(refusal(() => percentilesFrom('--percentiles', '0')).field).toBe('--percentiles');
    expect(refusal(() => percentilesFrom('--percentiles', '90,')).field).toBe('--percentiles');
  });
});
