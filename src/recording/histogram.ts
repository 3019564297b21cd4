// The one histogram shape used everywhere: microseconds, 3 significant digits (HdrHistogram
// keeps every value within 0.1% (1/1024) of itself), growing as larger values arrive. A single
// shape is what makes snapshots from many workers add up exactly, bucket for bucket.
//
// The plain JavaScript build of hdr-histogram-js, not its WebAssembly one: the WebAssembly
// histograms record faster but live in a separate memory that is only freed by an explicit
// destroy(), and every per-second snapshot crosses module (and machine) boundaries, so a single
// forgotten destroy() would leak for the life of the process. Recording speed comes from
// bucket-counts.ts instead (docs/sla.md has the figures).
//
// The JavaScript classes are required from their own files, not from the package's index: the
// index also loads the WebAssembly build's loader, pako and base64-js, about 17 MiB and 60 ms at
// the start of every process (`migrascope analyze` among them) for a build never used here. The
// package has no "exports" map, so these files are its public layout; the classes are the very
// objects its index exports (one module per file), so histograms made either way are alike.
import { createRequire } from 'node:module';
import type { Histogram } from 'hdr-histogram-js';

export type { Histogram } from 'hdr-histogram-js';

const require = createRequire(import.meta.url);
const { default: Int32Histogram } = require('hdr-histogram-js/dist/Int32Histogram.js') as typeof import('hdr-histogram-js/dist/Int32Histogram.js');
const { default: Float64Histogram } = require('hdr-histogram-js/dist/Float64Histogram.js') as typeof import('hdr-histogram-js/dist/Float64Histogram.js');
const { default: JsHistogram } = require('hdr-histogram-js/dist/JsHistogram.js') as typeof import('hdr-histogram-js/dist/JsHistogram.js');
type JsHistogram = InstanceType<typeof JsHistogram>;

export const SIGNIFICANT_DIGITS = 3;

/** A fresh histogram of microseconds with 32-bit counts (ample for one second of one action). */
export function newHistogram(): Histogram {
  return autoResizing(new Int32Histogram(1, 2, SIGNIFICANT_DIGITS));
}

/** A fresh histogram with 64-bit counts, for sums over many seconds (SLA windows, totals). */
export function newWideHistogram(): Histogram {
  return autoResizing(new Float64Histogram(1, 2, SIGNIFICANT_DIGITS));
}

/** As hdr-histogram-js's build() makes them: lowest value 1, grown as larger values arrive. */
function autoResizing(histogram: JsHistogram): JsHistogram {
  histogram.autoResize = true;
  return histogram;
}

/** Milliseconds (what people read and thresholds are written in) from microseconds. */
export function msFromUs(us: number): number {
  return us / 1000;
}

/** Microseconds, as recorded, from milliseconds (e.g. a request-log line's "ms"). */
export function usFromMs(ms: number): number {
  return Math.round(ms * 1000);
}

/**
 * A histogram's non-empty buckets, ascending: each bucket's index in HdrHistogram's counts array
 * and its count. Indices mean the same bucket in every histogram of this module's shape (same
 * precision, same lowest value), whatever each one's size.
 */
export interface Buckets {
  indices: Int32Array;
  counts: Float64Array;
}

/**
 * The non-empty buckets of a histogram, in one pass over its counts: the compact form in which
 * seconds are kept while they sit in an SLA window, and the exact way to compare histograms.
 */
export function bucketsOf(histogram: Histogram): Buckets {
  const js = asJs(histogram);
  const indices: number[] = [];
  const counts: number[] = [];
  for (let index = 0; index < js.countsArrayLength; index++) {
    const count = js.getCountAtIndex(index);
    if (count === 0) continue;
    indices.push(index);
    counts.push(count);
  }
  return { indices: Int32Array.from(indices), counts: Float64Array.from(counts) };
}

/** The histogram as the JavaScript build's class, whose bucket-level methods are public. */
export function asJs(histogram: Histogram): JsHistogram {
  if (!(histogram instanceof JsHistogram)) throw new TypeError('expected a JavaScript hdr-histogram-js histogram, not the WebAssembly one');
  return histogram;
}
