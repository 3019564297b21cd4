// The one contract between the runtime and a controller's logic, as controller-runtime's
// reconcile package: look at the object named by the key, make the world match it, and say
// whether to look again. A thrown error means "retry with backoff"; a TerminalError means
// "retrying will not help" (logged, counted, not retried); requeueAfterMs schedules a later look
// even when nothing changes (level-triggered: never assume an event will come).
import type { ObjectKey } from './object-key.ts';

export interface ReconcileResult {
  /** Look at the object again after this long, whatever happens meanwhile. */
  requeueAfterMs?: number;
}

export interface Reconciler {
  /** `signal` aborts when the controller shuts down or loses leadership: stop soon, safely. */
  reconcile(key: ObjectKey, signal: AbortSignal): Promise<ReconcileResult | void>;
}

/** An error retrying cannot fix (an invalid spec, a missing permission a person must grant). */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}
