// Counts kept in exactly HdrHistogram's buckets (1 µs lowest value, 3 significant digits), for
// the recording hot path. hdr-histogram-js finds a value's bucket with Math.log2 and Math.pow,
// which caps recordValue near 5 million values a second on one core before anything else is
// done; the same formula with integer operations (count leading zeros, shift) is an order of
// magnitude cheaper. The counts only live until their second is drained, when they are handed
// over as a regular hdr-histogram-js histogram: nothing outside the Recorder ever sees them.
// bucket-counts.test.ts pins the index to the library's own countsArrayIndex on every bucket edge.
import { newHistogram, type Histogram } from './histogram.ts';

/** 2048 sub-buckets hold 3 significant digits; each bucket above the first adds 1024 of them. */
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;

/** Values up to 2^31 - 1 µs (35 minutes) take the integer path; larger ones the library's. */
export const LARGEST_FAST_VALUE = 0x7fffffff;

/** Where HdrHistogram counts an integer value in [0, 2^31): its countsArrayIndex. */
export function bucketIndexOf(value: number): number {
  const bucket = Math.max(31 - Math.clz32(value) - SUB_BUCKET_HALF_COUNT_MAGNITUDE, 0);
  return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (value >>> bucket) - SUB_BUCKET_HALF_COUNT;
}

/** The lowest value HdrHistogram counts at an index (its valueFromIndex). */
export function lowestValueAt(index: number): number {
  let bucket = (index >>> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  let subBucket = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    subBucket -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return subBucket * 2 ** bucket;
}

/** Starts sized for values up to about 1 s (11 264 counts) and grows when a larger one comes. */
const INITIAL_LENGTH = 11 * SUB_BUCKET_HALF_COUNT;

export class BucketCounts {
  #counts = new Uint32Array(INITIAL_LENGTH);
  #highestIndex = -1;
  /** Values beyond the integer path (over 35 minutes): rare enough for the library's own path. */
  #beyond: Histogram | undefined;

  record(value: number): void {
    if (value > LARGEST_FAST_VALUE) {
      this.#beyond ??= newHistogram();
      this.#beyond.recordValue(value);
      return;
    }
    const index = bucketIndexOf(value);
    if (index >= this.#counts.length) this.#grow(index);
    this.#counts[index]! += 1;
    if (index > this.#highestIndex) this.#highestIndex = index;
  }

  /** The counts as a regular hdr-histogram-js histogram, bucket for bucket. */
  toHistogram(): Histogram {
    const histogram = newHistogram();
    const counts = this.#counts;
    // Highest first: the histogram resizes once to its final size instead of once per doubling.
    for (let index = this.#highestIndex; index >= 0; index--) {
      const count = counts[index]!;
      if (count > 0) histogram.recordValueWithCount(lowestValueAt(index), count);
    }
    if (this.#beyond) histogram.add(this.#beyond);
    return histogram;
  }

  #grow(index: number): void {
    let length = this.#counts.length;
    while (length <= index) length += 4 * SUB_BUCKET_HALF_COUNT;
    const grown = new Uint32Array(length);
    grown.set(this.#counts);
    this.#counts = grown;
  }
}
