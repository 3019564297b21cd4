import { beforeAll, describe, expect, it } from 'vitest';
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
  type XenError,
} from './errors.ts';
import { explainFailure, explainTaskFailure, isTransientConnectionFailure, type FailureContext } from './failures.ts';

// The client's own error class (xen-api does not export it from its index, but the file is there):
// explainFailure must recognise what the client really throws, not a look-alike.
type XapiErrorClass = new (code: string, params: string[]) => Error;
let XapiError: XapiErrorClass;
beforeAll(async () => {
  const modulePath: string = 'xen-api/_XapiError.mjs';
  XapiError = ((await import(modulePath)) as { default: XapiErrorClass }).default;
});

const GiB = 1024 ** 3;
const context: FailureContext = {
  url: 'https://xen-1.example:443',
  username: 'root',
  vm: { ref: 'OpaqueRef:vm-web', uuid: 'uuid-web', name: 'web' },
  source: { ref: 'OpaqueRef:host-1', uuid: 'uuid-1', name: 'xen-1' },
  destination: { ref: 'OpaqueRef:host-2', uuid: 'uuid-2', name: 'xen-2' },
  known: [{ ref: 'OpaqueRef:sr-local', uuid: 'uuid-sr', name: 'Local storage' }],
};

function xapi(code: string, ...params: string[]): XenError {
  return explainFailure(new XapiError(code, params), context);
}

function socketError(code: string): Error {
  // The shape Node and undici give socket errors: a message and a string code.
  return Object.assign(new Error(`connect ${code} 127.0.0.1:443`), { code });
}

describe('Given XAPI refuses or fails a migration with a code', () => {
  it('when the destination lacks memory, then the sizes and host are spelled out with what to do', () => {
    const error = xapi('HOST_NOT_ENOUGH_FREE_MEMORY', String(2 * GiB), String(1.2 * GiB));
    expect(error).toBeInstanceOf(NotEnoughMemoryError);
    expect(error.message).toBe(
      'host xen-2 has 1.20 GiB free but VM web needs 2.00 GiB; choose another destination or free memory on xen-2',
    );
    expect(error.xapiCode).toBe('HOST_NOT_ENOUGH_FREE_MEMORY');
    expect(error.retryable).toBe(false);
  });

  it('when the VM is halted, then it says so and to start it', () => {
    const error = xapi('VM_BAD_POWER_STATE', 'OpaqueRef:vm-web', 'running', 'halted');
    expect(error).toBeInstanceOf(BadPowerStateError);
    expect(error.message).toMatch(/^VM web is halted but must be running to be live-migrated; start it first/);
  });

  it('when several power states are allowed, then they read as a choice', () => {
    const error = xapi('VM_BAD_POWER_STATE', 'OpaqueRef:vm-web', 'running, paused', 'suspended');
    expect(error.message).toMatch(/^VM web is suspended but must be running or paused to be live-migrated; resume it first/);
  });

  it('when the VM is busy, then the error is retryable and names the operation', () => {
    const error = xapi('OTHER_OPERATION_IN_PROGRESS', 'VM', 'OpaqueRef:vm-web', 'pool_migrate', 'OpaqueRef:task-9');
    expect(error).toBeInstanceOf(OperationInProgressError);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/VM web is busy with pool_migrate; wait for it to finish/);
  });

  it('when a reference is no longer valid, then the object is said to be gone', () => {
    const error = xapi('HANDLE_INVALID', 'VM', 'OpaqueRef:vm-web');
    expect(error).toBeInstanceOf(ObjectGoneError);
    expect(error.message).toMatch(/the VM web no longer exists in the pool/);
  });

  it('when the credentials are wrong, then the URL and user are named, not the password', () => {
    const error = xapi('SESSION_AUTHENTICATION_FAILED', 'root', 'Authentication failure');
    expect(error).toBeInstanceOf(XapiAuthenticationError);
    expect(error.message).toMatch(/XAPI at https:\/\/xen-1\.example:443 refused to log in root: wrong username or password/);
  });

  it('when the migration itself fails, then source, destination and XAPI message are kept', () => {
    const error = xapi('VM_MIGRATE_FAILED', 'OpaqueRef:vm-web', 'OpaqueRef:host-1', 'OpaqueRef:host-2', 'xenopsd timed out');
    expect(error).toBeInstanceOf(MigrationFailedError);
    expect(error.message).toMatch(/live migration of VM web from xen-1 to xen-2 failed: xenopsd timed out; the VM stays on its source/);
  });

  it.each([
    ['CANNOT_CONTACT_HOST', /the pool master cannot contact host xen-2/],
    ['HOST_OFFLINE', /host xen-2 is offline; bring it back or choose another destination/],
    ['HOST_DISABLED', /host xen-2 is disabled \(maintenance mode\)/],
  ])('when XAPI says %s, then the host is unavailable', (code, message) => {
    const error = xapi(code, 'OpaqueRef:host-2');
    expect(error).toBeInstanceOf(HostUnavailableError);
    expect(error.message).toMatch(message);
  });

  it('when a disk is on storage the destination cannot reach, then the SR is named', () => {
    const error = xapi('VM_REQUIRES_SR', 'OpaqueRef:vm-web', 'OpaqueRef:sr-local');
    expect(error).toBeInstanceOf(StorageNotSharedError);
    expect(error.message).toMatch(/VM web has a disk on storage Local storage that host xen-2 cannot reach/);
  });

  it('when the operation is not allowed, then XAPI reason is given', () => {
    const error = xapi('OPERATION_NOT_ALLOWED', 'VM is a control domain');
    expect(error).toBeInstanceOf(OperationNotAllowedError);
    expect(error.message).toBe('XAPI does not allow this: VM is a control domain');
  });

  it('when the destination is the VM own host, then the refusal says the VM is already there', () => {
    const own = { ...context, destination: context.source };
    const refused = explainFailure(new XapiError('OPERATION_NOT_ALLOWED', ['Host is the same']), own);
    expect(refused.message).toMatch(/VM web is already on host xen-1; choose another destination/);
    const other = explainFailure(new XapiError('HOST_CANNOT_MIGRATE_TO_ITSELF', ['OpaqueRef:host-1']), own);
    expect(other).toBeInstanceOf(XapiCallError);
    expect(other.message).toMatch(/VM web is already on host xen-1, choose another destination/);
  });

  it('when a migration to the own host lacks memory, then the second copy is explained', () => {
    const own = { ...context, destination: context.source };
    const error = explainFailure(new XapiError('HOST_NOT_ENOUGH_FREE_MEMORY', [String(2 * GiB), String(GiB)]), own);
    expect(error.message).toMatch(/host xen-1 has 1\.00 GiB free but VM web needs 2\.00 GiB \(a migration to the host the VM is on/);
  });

  it('when the task was cancelled, then the VM is said to stay put', () => {
    const error = explainTaskFailure(['TASK_CANCELLED', 'OpaqueRef:task-1'], context);
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect(error.message).toMatch(/the migration of VM web was cancelled/);
  });

  it('when a code is unknown, then code and parameters are kept in the message', () => {
    const error = xapi('VM_HAS_PCI_ATTACHED', 'OpaqueRef:vm-web');
    expect(error).toBeInstanceOf(XapiCallError);
    expect(error.message).toBe('XAPI refused: VM_HAS_PCI_ATTACHED(OpaqueRef:vm-web)');
    expect(error.params).toEqual(['OpaqueRef:vm-web']);
  });

  it('when a task failed, then its error_info is read like a raised error', () => {
    const error = explainTaskFailure(['HOST_NOT_ENOUGH_FREE_MEMORY', String(2 * GiB), String(GiB)], context);
    expect(error).toBeInstanceOf(NotEnoughMemoryError);
    expect(error.message).toMatch(/has 1\.00 GiB free but VM web needs 2\.00 GiB/);
  });
});

describe('Given the connection itself fails', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', /presents a self-signed certificate/],
    ['SELF_SIGNED_CERT_IN_CHAIN', /not signed by a CA we trust/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /not signed by a CA we trust/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', /for another name than the one in the URL/],
    ['CERT_HAS_EXPIRED', /outside its validity dates/],
  ])('when TLS verification fails with %s, then the advice is to give the CA bundle', (code, what) => {
    const error = explainFailure(socketError(code), context);
    expect(error).toBeInstanceOf(XapiTlsError);
    expect(error.message).toMatch(what);
    expect(error.message).toMatch(/give the pool's CA bundle \(--ca FILE/);
    expect(isTransientConnectionFailure(socketError(code))).toBe(false);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT'])(
    'when the socket fails with %s, then XAPI is unreachable and it is worth retrying',
    (code) => {
      const error = explainFailure(socketError(code), context);
      expect(error).toBeInstanceOf(XapiUnreachableError);
      expect(error.message).toMatch(/^cannot reach XAPI at https:\/\/xen-1\.example:443: /);
      expect(isTransientConnectionFailure(socketError(code))).toBe(true);
    },
  );

  it('when the code hides in the cause, then it is still found', () => {
    const wrapped = new Error('fetch failed', { cause: socketError('ECONNREFUSED') });
    expect(explainFailure(wrapped, context)).toBeInstanceOf(XapiUnreachableError);
  });

  it('when the server answers HTTP 404, then the URL is questioned', () => {
    const error = explainFailure(new Error('unexpect statusCode 404'), context);
    expect(error).toBeInstanceOf(XapiProtocolError);
    expect(error.message).toMatch(/answered HTTP 404; check that the URL points at a XenServer/);
    expect(isTransientConnectionFailure(new Error('unexpect statusCode 404'))).toBe(false);
    expect(isTransientConnectionFailure(new Error('unexpect statusCode 503'))).toBe(true);
  });

  it('when the port does not speak TLS, then http:// is suggested', () => {
    expect(explainFailure(socketError('ERR_SSL_WRONG_VERSION_NUMBER'), context).message).toMatch(/does not speak TLS/);
  });

  it('when a XenError is explained again, then it is kept as it is', () => {
    const original = xapi('HOST_OFFLINE', 'OpaqueRef:host-2');
    expect(explainFailure(original, {})).toBe(original);
  });
});

describe('Given a hostile pool', () => {
  it('When a reply nested too deeply exhausted the decoder, Then it is a protocol error naming the pool, not the runtime', () => {
    const error = explainFailure(new RangeError('Maximum call stack size exceeded'), { url: 'https://xen-1' });
    expect(error).toBeInstanceOf(XapiProtocolError);
    expect(error.message).toBe('XAPI at https://xen-1 sent a reply nested too deeply to decode; a XenServer / XCP-ng host never does');
  });

  it('When its error code hides a bidi override and a zero-width space, Then the message shows them escaped', () => {
    const error = explainFailure(new XapiError('SESSION_AUTHENTICATION_FAILED\u202e\u200b', ['root\u0007']), { url: 'https://xen-1' });
    expect(error.message).toContain('SESSION_AUTHENTICATION_FAILED\\u{202e}\\u{200b}');
    expect(error.message).toContain('root\\u{7}');
    expect(error.message).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });
});
