// Per-second snapshots as they travel between machines (Redis, HTTP): plain JSON with each
// histogram in HdrHistogram's standard compressed V2 encoding (base64), which any HdrHistogram
// implementation can read and which keeps every count exactly. Decoding checks the shape and
// names the field at fault: a snapshot comes from another process and is not trusted blindly.
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { z } from 'zod';
import { ERROR_KINDS, type ErrorKind } from './outcome.ts';
import { userKeyed } from './user-keyed.ts';
import type { SecondSnapshot } from './recorder.ts';
import { SIGNIFICANT_DIGITS } from './histogram.ts';

export interface EncodedActionSecond {
  /** HdrHistogram V2 compressed encoding, base64. */
  histogram: string;
  ok: number;
  errors: Partial<Record<ErrorKind, number>>;
}

export interface EncodedSecond {
  second: number;
  actions: Record<string, EncodedActionSecond>;
}

const count = z.number().int().nonnegative();

const encodedSecondSchema = z.strictObject({
  second: z.number().int(),
  actions: z.record(
    z.string().min(1),
    z.strictObject({
      histogram: z.string().min(1),
      ok: count,
      errors: z.partialRecord(z.enum(ERROR_KINDS as [ErrorKind, ...ErrorKind[]]), count),
    }),
  ),
});

/** The reason a snapshot from another process cannot be used. */
export class SnapshotFormatError extends Error {
  override name = 'SnapshotFormatError';
}

export function encodeSecond(snapshot: SecondSnapshot): EncodedSecond {
  const actions: Record<string, EncodedActionSecond> = userKeyed();
  for (const [action, part] of Object.entries(snapshot.actions)) {
    actions[action] = { histogram: encodeIntoCompressedBase64(part.histogram), ok: part.ok, errors: { ...part.errors } };
  }
  return { second: snapshot.second, actions };
}

export function decodeSecond(encoded: unknown): SecondSnapshot {
  const parsed = encodedSecondSchema.safeParse(encoded);
  if (!parsed.success) throw new SnapshotFormatError(`snapshot: ${z.prettifyError(parsed.error)}`);
  const snapshot: SecondSnapshot = { second: parsed.data.second, actions: userKeyed() };
  for (const [action, part] of Object.entries(parsed.data.actions)) {
    const field = `snapshot of second ${parsed.data.second}: actions.${action}.histogram`;
    let histogram;
    try {
      histogram = decodeFromCompressedBase64(part.histogram);
    } catch (error) {
      throw new SnapshotFormatError(`${field}: not an HdrHistogram V2 compressed encoding (${(error as Error).message})`, { cause: error });
    }
    // Another precision would not merge bucket for bucket with ours.
    if (histogram.numberOfSignificantValueDigits !== SIGNIFICANT_DIGITS) {
      throw new SnapshotFormatError(`${field}: has ${histogram.numberOfSignificantValueDigits} significant digits, expected ${SIGNIFICANT_DIGITS}`);
    }
    if (histogram.totalCount !== part.ok) {
      throw new SnapshotFormatError(`${field}: holds ${histogram.totalCount} values but ok is ${part.ok}`);
    }
    snapshot.actions[action] = { histogram, ok: part.ok, errors: part.errors };
  }
  return snapshot;
}
