import { describe, expect, it } from 'vitest';
import { JsHistogram } from 'hdr-histogram-js';
import { bucketIndexOf, BucketCounts, lowestValueAt, LARGEST_FAST_VALUE } from './bucket-counts.ts';
import { bucketsOf, newHistogram } from './histogram.ts';

function libraryHistogram(): JsHistogram {
  const histogram = newHistogram();
  if (!(histogram instanceof JsHistogram)) throw new Error('expected the JavaScript build');
  return histogram;
}

/** Every power of two up to 2^31 and its neighbours: where bucket arithmetic goes wrong if it does. */
function edgeValues(): number[] {
  const values = [0, 1, 2, 3, 1023, 1024, 1025, 2047, 2048, 2049, LARGEST_FAST_VALUE];
  for (let power = 1; power <= 31; power++) {
    const p = 2 ** power;
    values.push(p - 1, p, p + 1, p - 2, p + 2);
  }
  return values.filter((v) => v >= 0 && v <= LARGEST_FAST_VALUE);
}

function randomValues(n: number, seed: number): number[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return Array.from({ length: n }, () => Math.floor(2 ** (next() * 31)) - 1).filter((v) => v >= 0);
}

describe('Given HdrHistogram bucket arithmetic done with integer operations', () => {
  const library = libraryHistogram();

  it('When indexing values on every bucket edge, Then the index is the library countsArrayIndex', () => {
    for (const value of edgeValues()) expect(bucketIndexOf(value), `value ${value}`).toBe(library.countsArrayIndex(value));
  });

  it('When indexing random values of every magnitude, Then the index is the library countsArrayIndex', () => {
    for (const value of randomValues(20_000, 7)) expect(bucketIndexOf(value), `value ${value}`).toBe(library.countsArrayIndex(value));
  });

  it('When mapping an index back, Then it gives the lowest value the library counts there', () => {
    for (const value of [...edgeValues(), ...randomValues(5000, 11)]) {
      expect(lowestValueAt(bucketIndexOf(value)), `value ${value}`).toBe(library.lowestEquivalentValue(value));
    }
  });

  it('When a fractional value is indexed, Then it lands where the library puts it', () => {
    for (const value of [0.4, 1.5, 2047.9, 2048.5, 123456.789]) expect(bucketIndexOf(value)).toBe(library.countsArrayIndex(value));
  });
});

describe('Given BucketCounts fed the same values as a library histogram', () => {
  it('When converted, Then the histogram has exactly the same buckets, including values beyond 35 minutes', () => {
    const values = [...edgeValues(), ...randomValues(50_000, 3), 3e9, 3e9, 9e12];
    const counts = new BucketCounts();
    const direct = newHistogram();
    for (const value of values) {
      counts.record(value);
      direct.recordValue(value);
    }
    const converted = counts.toHistogram();
    expect(converted.totalCount).toBe(values.length);
    expect(bucketsOf(converted)).toEqual(bucketsOf(direct));
  });

  it('When nothing was recorded, Then the histogram is empty', () => {
    expect(new BucketCounts().toHistogram().totalCount).toBe(0);
  });
});
