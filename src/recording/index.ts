// Measurement: what each user action cost, per action and per second, in a form that many
// workers on many machines can add up exactly; plus the optional request log.
export type { ErrorKind, ActionOutcome } from './outcome.ts';
export { ERROR_KINDS } from './outcome.ts';
export type { Histogram, Buckets } from './histogram.ts';
export { asJs, bucketsOf, newHistogram, newWideHistogram, msFromUs, usFromMs, SIGNIFICANT_DIGITS } from './histogram.ts';
export type { ActionSecond, SecondSnapshot } from './recorder.ts';
export { Recorder } from './recorder.ts';
export type { ActionSummary, SecondRange } from './summary.ts';
export { summarize } from './summary.ts';
export type { RequestLogRecord, RequestLogLine } from './request-log.ts';
export { RequestLogWriter, readRequestLog, parseLine } from './request-log.ts';
export type { EncodedSecond, EncodedActionSecond } from './snapshot-wire.ts';
export { encodeSecond, decodeSecond, SnapshotFormatError } from './snapshot-wire.ts';
export { mergeSeconds } from './merge.ts';
export { userKeyed } from './user-keyed.ts';
