// Turns what the xen-api client throws (XAPI error codes with parameters, a task's error_info,
// Node's TLS and socket errors) into XenErrors a person can act on. XAPI's parameters are opaque
// references and raw byte counts; the context names the VM and hosts involved so the message can
// say "host xen-2 has 1.20 GiB free" instead of "HOST_NOT_ENOUGH_FREE_MEMORY(2147483648, ...)".
import { formatBytes } from '../quantity/index.ts';
import {
  BadPowerStateError,
  HostUnavailableError,
  MigrationFailedError,
  NotEnoughMemoryError,
  ObjectGoneError,
  OperationInProgressError,
  OperationNotAllowedError,
  StorageNotSharedError,
  TaskCancelledError,
  XapiAuthenticationError,
  XapiCallError,
  XapiProtocolError,
  XapiTlsError,
  XapiUnreachableError,
  XenError,
} from './errors.ts';
import type { XenObject } from './records.ts';

export interface FailureContext {
  /** The XAPI URL, for connection failures. */
  url?: string;
  username?: string;
  vm?: XenObject;
  source?: XenObject;
  destination?: XenObject;
  /** Any other objects whose references may appear in parameters. */
  known?: readonly XenObject[];
}

/** The shape of the client's XapiError (not exported by xen-api): a code and its parameters. */
interface XapiFailure {
  code: string;
  params: readonly string[];
}

export function explainFailure(error: unknown, context: FailureContext = {}): XenError {
  if (error instanceof XenError) return error;
  if (isXapiFailure(error)) return explainXapiCode(error.code, error.params, context, error);
  const code = errorCode(error);
  if (code !== undefined && TLS_CODES.has(code)) return tlsFailure(code, error, context);
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return new XapiProtocolError(
      `${context.url ?? 'XAPI'} does not speak TLS on that port; use http:// for a plain-HTTP endpoint or the HTTPS port`,
      { cause: error },
    );
  }
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return new XapiUnreachableError(
      `cannot reach XAPI at ${context.url ?? 'the pool'}: ${CONNECTION_CODES.get(code)} (${code}); ` +
        'check the URL, that the host is up and that nothing blocks the port',
      { cause: error },
    );
  }
  if (error instanceof RangeError) {
    // The client decodes replies recursively: a reply nested thousands deep exhausts the stack.
    return new XapiProtocolError(`XAPI at ${context.url ?? 'the pool'} sent a reply nested too deeply to decode; a XenServer / XCP-ng host never does`, {
      cause: error,
    });
  }
  const status = httpStatus(error);
  if (status !== undefined) {
    return new XapiProtocolError(
      `XAPI at ${context.url ?? 'the pool'} answered HTTP ${status}; check that the URL points at a XenServer / ` +
        'XCP-ng host (https://HOST, without a path)',
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new XapiCallError(`talking to XAPI at ${context.url ?? 'the pool'} failed: ${message}`, { cause: error });
}

/** A failed task's error_info is the same [code, ...params] XAPI raises from a call. */
export function explainTaskFailure(errorInfo: readonly string[], context: FailureContext): XenError {
  const [code = 'INTERNAL_ERROR', ...params] = errorInfo;
  return explainXapiCode(code, params, context, undefined);
}

/**
 * A connection that broke or cannot be opened right now (as opposed to one that can never work,
 * like a bad certificate): worth retrying while following a task.
 */
export function isTransientConnectionFailure(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && CONNECTION_CODES.has(code)) return true;
  const status = httpStatus(error);
  // A proxy or load balancer in front of a restarting toolstack answers 502/503/504.
  return status !== undefined && status >= 502 && status <= 504;
}

export function isXapiFailure(error: unknown): error is XapiFailure {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    Array.isArray((error as { params?: unknown }).params)
  );
}

export function explainXapiCode(
  code: string,
  params: readonly string[],
  context: FailureContext,
  cause: unknown,
): XenError {
  const details = { xapiCode: code, params, cause };
  const name = (ref: string | undefined, fallback: string): string => describe(ref, context) ?? fallback;
  const vm = context.vm?.name ?? name(params[0], 'the VM');
  const destination = context.destination?.name ?? 'the destination';
  switch (code) {
    case 'HOST_NOT_ENOUGH_FREE_MEMORY': {
      const [needed, available] = params.map(Number);
      const sizes =
        needed !== undefined && available !== undefined && Number.isFinite(needed) && Number.isFinite(available)
          ? `has ${formatBytes(available)} free but VM ${vm} needs ${formatBytes(needed)}`
          : 'does not have enough free memory for VM ' + vm;
      const own = sameHost(context) ? ` (a migration to the host the VM is on needs room for a second copy)` : '';
      return new NotEnoughMemoryError(
        `host ${destination} ${sizes}${own}; choose another destination or free memory on ${destination}`,
        details,
      );
    }
    case 'VM_BAD_POWER_STATE': {
      // XAPI joins the allowed states with ", " (Xapi_vm_lifecycle.report_power_state_error).
      const [, allowed = 'running', actual = 'in another state'] = params;
      const expected = allowed.split(/,\s*/).join(' or ');
      return new BadPowerStateError(
        `VM ${name(params[0], vm)} is ${actual.toLowerCase()} but must be ${expected.toLowerCase()} to be ` +
          `live-migrated; ${actual.toLowerCase() === 'halted' ? 'start it' : 'resume it'} first`,
        details,
      );
    }
    case 'OTHER_OPERATION_IN_PROGRESS': {
      const [kind = 'object', object, operation = 'another operation'] = params;
      return new OperationInProgressError(
        `${kind} ${name(object, 'involved')} is busy with ${operation}; wait for it to finish and try again`,
        details,
      );
    }
    case 'HANDLE_INVALID': {
      const [kind = 'object', handle] = params;
      return new ObjectGoneError(
        `the ${kind} ${name(handle, handle ?? '')} no longer exists in the pool (deleted, or XAPI restarted); ` +
          'look it up again by name or uuid',
        details,
      );
    }
    case 'UUID_INVALID': {
      const [kind = 'object', uuid = ''] = params;
      return new ObjectGoneError(`no ${kind} has uuid ${uuid}; check the uuid`, details);
    }
    case 'SESSION_AUTHENTICATION_FAILED':
      return new XapiAuthenticationError(
        `XAPI at ${context.url ?? 'the pool'} refused to log in ${context.username ?? 'the user'}: wrong username or ` +
          'password (or the account is not allowed to log in); check the credentials',
        details,
      );
    case 'SESSION_INVALID':
      return new XapiAuthenticationError(
        `XAPI at ${context.url ?? 'the pool'} no longer knows our session (it expired or XAPI restarted) and logging ` +
          'in again did not work; connect again',
        details,
      );
    case 'RBAC_PERMISSION_DENIED':
      return new XapiAuthenticationError(
        `user ${context.username ?? ''} may not call ${params[0] ?? 'this method'}: ${params[1] ?? 'permission denied'}; ` +
          'use an account with the VM power admin role or higher',
        details,
      );
    case 'VM_MIGRATE_FAILED': {
      const [vmRef, sourceRef, destinationRef, message = 'no reason given'] = params;
      return new MigrationFailedError(
        `live migration of VM ${name(vmRef, vm)} from ${name(sourceRef, context.source?.name ?? 'its host')} to ` +
          `${name(destinationRef, destination)} failed: ${message}; the VM stays on its source, look at the hosts' ` +
          'logs (xensource.log) and try again',
        details,
      );
    }
    case 'CANNOT_CONTACT_HOST':
      return new HostUnavailableError(
        `the pool master cannot contact host ${name(params[0], destination)}; check its network and that it is up`,
        details,
      );
    case 'HOST_OFFLINE':
      return new HostUnavailableError(
        `host ${name(params[0], destination)} is offline; bring it back or choose another destination`,
        details,
      );
    case 'HOST_DISABLED':
      return new HostUnavailableError(
        `host ${name(params[0], destination)} is disabled (maintenance mode); enable it or choose another destination`,
        details,
      );
    case 'VM_REQUIRES_SR':
      return new StorageNotSharedError(
        `VM ${name(params[0], vm)} has a disk on storage ${name(params[1], 'an SR')} that host ${destination} cannot ` +
          'reach; a live migration inside a pool needs shared storage: move the disk to a shared SR or choose a host ' +
          'attached to it',
        details,
      );
    case 'VM_IS_TEMPLATE':
      return new OperationNotAllowedError(`${name(params[0], vm)} is a template, not a VM; templates do not run`, details);
    case 'OPERATION_NOT_ALLOWED':
      return new OperationNotAllowedError(
        `XAPI does not allow this: ${params[0] ?? 'no reason given'}` +
          (sameHost(context) ? ` (VM ${vm} is already on host ${destination}; choose another destination)` : ''),
        details,
      );
    case 'TASK_CANCELLED':
      return new TaskCancelledError(
        `the migration of VM ${vm} was cancelled (someone or something cancelled its task); the VM stays where it was`,
        details,
      );
    case 'MESSAGE_METHOD_UNKNOWN':
      return new XapiProtocolError(
        `XAPI at ${context.url ?? 'the pool'} does not know ${params[0] ?? 'this method'}; the server is too old ` +
          'or is not XAPI',
        details,
      );
    default:
      return new XapiCallError(
        `XAPI refused: ${code}(${params.join(', ')})` +
          (sameHost(context) ? `; VM ${vm} is already on host ${destination}, choose another destination` : ''),
        details,
      );
  }
}

function describe(ref: string | undefined, context: FailureContext): string | undefined {
  if (ref === undefined) return undefined;
  const objects = [context.vm, context.source, context.destination, ...(context.known ?? [])];
  return objects.find((object) => object !== undefined && (object.ref === ref || object.uuid === ref))?.name;
}

function sameHost(context: FailureContext): boolean {
  return context.source !== undefined && context.source.ref === context.destination?.ref;
}

function tlsFailure(code: string, error: unknown, context: FailureContext): XapiTlsError {
  const what =
    code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? "the server's certificate is for another name than the one in the URL"
      : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
        ? "the server's certificate is outside its validity dates"
        : code === 'DEPTH_ZERO_SELF_SIGNED_CERT'
          ? 'the server presents a self-signed certificate'
          : "the server's certificate is not signed by a CA we trust";
  return new XapiTlsError(
    `cannot verify the TLS certificate of ${context.url ?? 'XAPI'}: ${what} (${code}); give the pool's CA bundle ` +
      "(--ca FILE, or the XenPool's CA), or, only if you accept an unverified connection, --insecure",
    { cause: error },
  );
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Socket-level failures and what they mean for a person. */
const CONNECTION_CODES = new Map([
  ['ECONNREFUSED', 'connection refused (nothing listens there)'],
  ['ECONNRESET', 'the connection was reset'],
  ['EPIPE', 'the connection broke'],
  ['ETIMEDOUT', 'the connection timed out'],
  ['EHOSTUNREACH', 'no route to the host'],
  ['ENETUNREACH', 'the network is unreachable'],
  ['ENOTFOUND', 'the host name does not resolve'],
  ['EAI_AGAIN', 'the host name cannot be resolved right now'],
  ['UND_ERR_SOCKET', 'the server closed the connection'],
  ['UND_ERR_CLOSED', 'the connection was closed'],
  ['UND_ERR_CONNECT_TIMEOUT', 'connecting timed out'],
  ['UND_ERR_HEADERS_TIMEOUT', 'the server did not answer in time'],
  ['UND_ERR_BODY_TIMEOUT', 'the server stopped sending its answer'],
]);

function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

/** xen-api reports a non-2xx answer as a plain Error "unexpect statusCode N" (sic). */
function httpStatus(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const match = /unexpect(?:ed)? statusCode (\d{3})/.exec(error.message);
  return match === null ? undefined : Number(match[1]);
}
