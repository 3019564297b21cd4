// What can go wrong when driving a XenServer pool, one class per decision a caller has to make.
// Every message says what happened in the pool's own words (host and VM names, sizes) and what a
// person can do about it; `kind` carries the same decision for programs (and survives JSON, which
// a thrown class does not, e.g. inside a queued job's result).

export type XenErrorKind =
  | 'unreachable'
  | 'tls'
  | 'authentication'
  | 'protocol'
  | 'vm-not-found'
  | 'host-not-found'
  | 'ambiguous-name'
  | 'no-destination'
  | 'not-enough-memory'
  | 'bad-power-state'
  | 'operation-in-progress'
  | 'object-gone'
  | 'host-unavailable'
  | 'storage-not-shared'
  | 'operation-not-allowed'
  | 'migration-failed'
  | 'task-cancelled'
  | 'task-lost'
  | 'xapi';

export interface XenErrorDetails {
  /** The XAPI error code when XAPI raised it (HOST_NOT_ENOUGH_FREE_MEMORY, ...). */
  xapiCode?: string;
  /** XAPI's parameters for that code, as sent. */
  params?: readonly string[];
  cause?: unknown;
}

export abstract class XenError extends Error {
  abstract readonly kind: XenErrorKind;
  /** Whether the same request may succeed later without anyone changing anything. */
  abstract readonly retryable: boolean;
  readonly xapiCode: string | undefined;
  readonly params: readonly string[];

  constructor(message: string, details: XenErrorDetails = {}) {
    super(printable(message), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.xapiCode = details.xapiCode;
    this.params = details.params ?? [];
  }
}

/**
 * Messages carry what the pool sent (codes, names, parameters) to a terminal: control characters
 * and the invisible ones that reorder or hide text (bidi overrides, zero-width) are shown as
 * \u{...} escapes, so a hostile pool cannot make a message read as something else.
 */
function printable(text: string): string {
  return text.replace(/(?![\n\t])[\p{Cc}\p{Cf}]/gu, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
}

/** The XAPI endpoint cannot be reached or the connection broke (refused, reset, timed out). */
export class XapiUnreachableError extends XenError {
  readonly kind = 'unreachable';
  readonly retryable = true;
}

/** The server's certificate cannot be trusted with the given CA bundle (or the system's). */
export class XapiTlsError extends XenError {
  readonly kind = 'tls';
  readonly retryable = false;
}

export class XapiAuthenticationError extends XenError {
  readonly kind = 'authentication';
  readonly retryable = false;
}

/** The server answered something that is not XAPI as we know it (HTTP error, unknown method). */
export class XapiProtocolError extends XenError {
  readonly kind = 'protocol';
  readonly retryable = false;
}

export class VmNotFoundError extends XenError {
  readonly kind = 'vm-not-found';
  readonly retryable = false;
}

export class HostNotFoundError extends XenError {
  readonly kind = 'host-not-found';
  readonly retryable = false;
}

/** A name label matches several objects; the uuid picks one. */
export class AmbiguousNameError extends XenError {
  readonly kind = 'ambiguous-name';
  readonly retryable = false;
  readonly candidates: readonly string[];
  constructor(message: string, candidates: readonly string[]) {
    super(message);
    this.candidates = candidates;
  }
}

export interface HostRejection {
  host: string;
  reason: string;
}

/** No host may receive the VM under the chosen policy; `rejections` says why for each host. */
export class NoDestinationError extends XenError {
  readonly kind = 'no-destination';
  readonly retryable = false;
  readonly rejections: readonly HostRejection[];
  constructor(message: string, rejections: readonly HostRejection[]) {
    super(message);
    this.rejections = rejections;
  }
}

export class NotEnoughMemoryError extends XenError {
  readonly kind = 'not-enough-memory';
  readonly retryable = false;
}

export class BadPowerStateError extends XenError {
  readonly kind = 'bad-power-state';
  readonly retryable = false;
}

/** Another operation holds the VM or host; waiting for it to finish is enough. */
export class OperationInProgressError extends XenError {
  readonly kind = 'operation-in-progress';
  readonly retryable = true;
}

/** A reference XAPI no longer knows: the object was destroyed, or XAPI restarted. */
export class ObjectGoneError extends XenError {
  readonly kind = 'object-gone';
  readonly retryable = false;
}

/** The destination is offline, disabled or out of the master's reach. */
export class HostUnavailableError extends XenError {
  readonly kind = 'host-unavailable';
  readonly retryable = false;
}

/** A disk of the VM sits on storage the destination cannot reach. */
export class StorageNotSharedError extends XenError {
  readonly kind = 'storage-not-shared';
  readonly retryable = false;
}

export class OperationNotAllowedError extends XenError {
  readonly kind = 'operation-not-allowed';
  readonly retryable = false;
}

/** The migration started and broke on the way; the VM normally stays on its source. */
export class MigrationFailedError extends XenError {
  readonly kind = 'migration-failed';
  readonly retryable = true;
}

export class TaskCancelledError extends XenError {
  readonly kind = 'task-cancelled';
  readonly retryable = false;
}

/** We can no longer see the migration's task (XAPI restarted, or the connection stayed down). */
export class TaskLostError extends XenError {
  readonly kind = 'task-lost';
  readonly retryable = false;
}

/** An XAPI error this adapter has no better words for; the code and parameters are kept. */
export class XapiCallError extends XenError {
  readonly kind = 'xapi';
  readonly retryable = false;
}
