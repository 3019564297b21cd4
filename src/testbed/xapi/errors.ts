// XAPI failures: a code and string parameters, as ocaml/xapi-consts/api_errors.ml names them and
// as the raising sites in xapi pass them (parameter order matters to clients that read them).

export class XapiFailure extends Error {
  readonly code: string;
  readonly params: string[];
  constructor(code: string, params: string[] = []) {
    super(params.length ? `${code}(${params.join(', ')})` : code);
    this.name = 'XapiFailure';
    this.code = code;
    this.params = params;
  }
}

/** ExnHelper: a missing DB row -> [table; reference]. */
export const handleInvalid = (cls: string, ref: string) => new XapiFailure('HANDLE_INVALID', [cls, ref]);

/** Db_exn.Read_missing_uuid -> [table; uuid]. */
export const uuidInvalid = (cls: string, uuid: string) => new XapiFailure('UUID_INVALID', [cls, uuid]);

/**
 * A parameter as a failure names it: a client may send any JSON or XML-RPC value where a string
 * belongs, even an object whose toString is a number, and naming it must not throw.
 */
export function parameterText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Session_check -> [session ref]. */
export const sessionInvalid = (session: string) => new XapiFailure('SESSION_INVALID', [session]);

/** Xapi_session.do_local_auth: [user name; PAM's message]. */
export const authenticationFailed = (user: string) =>
  new XapiFailure('SESSION_AUTHENTICATION_FAILED', [user, 'Authentication failure']);

/** Server_helpers.unknown_rpc_failure -> [method]. */
export const methodUnknown = (method: string) => new XapiFailure('MESSAGE_METHOD_UNKNOWN', [method]);

/** Server_helpers.parameter_count_mismatch_failure -> [method; expected; received] (session not counted). */
export const parameterCountMismatch = (method: string, expected: number, received: number) =>
  new XapiFailure('MESSAGE_PARAMETER_COUNT_MISMATCH', [method, String(expected), String(received)]);

/** Xapi_vm_lifecycle.report_power_state_error -> [vm; allowed states; actual], lower-case states. */
export const vmBadPowerState = (vm: string, expected: string[], actual: string) =>
  new XapiFailure('VM_BAD_POWER_STATE', [vm, expected.map((s) => s.toLowerCase()).join(', '), actual.toLowerCase()]);

/** Xapi_vm_lifecycle.report_concurrent_operations_error -> ["VM"; vm; operation; operation's task]. */
export const otherOperationInProgress = (cls: string, ref: string, operation: string, operationRef: string) =>
  new XapiFailure('OTHER_OPERATION_IN_PROGRESS', [cls, ref, operation, operationRef]);

/** Xapi_vm_helpers.assert_enough_memory_available -> [needed bytes; available bytes]. */
export const hostNotEnoughFreeMemory = (needed: number, available: number) =>
  new XapiFailure('HOST_NOT_ENOUGH_FREE_MEMORY', [String(needed), String(available)]);

/** TaskHelper.raise_cancelled -> [task]. */
export const taskCancelled = (task: string) => new XapiFailure('TASK_CANCELLED', [task]);

export const operationNotAllowed = (reason: string) => new XapiFailure('OPERATION_NOT_ALLOWED', [reason]);

/** Xapi_event.from on a token it cannot read -> [token]. */
export const eventFromTokenParseFailure = (token: string) =>
  new XapiFailure('EVENT_FROM_TOKEN_PARSE_FAILURE', [token]);

/** ExnHelper: a duplicate map key -> [table; field; object; key]. */
export const mapDuplicateKey = (cls: string, field: string, ref: string, key: string) =>
  new XapiFailure('MAP_DUPLICATE_KEY', [cls, field, ref, key]);

/** Anything unexpected becomes INTERNAL_ERROR, as ExnHelper does for unknown exceptions. */
export function asXapiFailure(error: unknown): XapiFailure {
  if (error instanceof XapiFailure) return error;
  return new XapiFailure('INTERNAL_ERROR', [error instanceof Error ? error.message : String(error)]);
}
