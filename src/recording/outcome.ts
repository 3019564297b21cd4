// What the load driver reports for one user action: when it started, how long it took, and
// whether the user got what they asked for. Everything downstream (per-second histograms, the
// request log, the SLA windows) is built from these.

/**
 * Why an action failed: no connection, no answer in time, an HTTP status >= 400, a bad body, or a
 * TLS handshake that failed (a certificate not trusted, expired or for another name).
 */
export type ErrorKind = 'connect' | 'timeout' | 'status' | 'body' | 'tls';

export const ERROR_KINDS: readonly ErrorKind[] = ['connect', 'timeout', 'status', 'body', 'tls'];

export interface ActionOutcome {
  /** The action's name in the profile, e.g. "HomePage". */
  action: string;
  /** When the first request's first byte was sent (epoch ms); the result belongs to this time. */
  startMs: number;
  /** First byte sent to last byte of the last response received, in microseconds. */
  durationUs: number;
  ok: boolean;
  /** Set when `ok` is false. */
  errorKind?: ErrorKind;
}
