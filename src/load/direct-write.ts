// Writing a request to a plain TCP socket's handle, as the read side reads with onread: the bytes
// go to the kernel at once (libuv's try-write) without the Writable stream around the socket,
// which per write makes a write request object, a callback and a nextTick for a write that is
// almost always complete before it returns. What the stream would do is kept: a write the kernel
// cannot take whole is queued by libuv and completes later (its failure reported then), and a
// failure is reported with its error code, as the socket's 'error' event would.
//
// It uses Node's stream binding (`process.binding('stream_wrap')`, as net.js does internally).
// Where that is not there (another runtime, a future Node), directWriter() returns undefined and
// the driver writes through the socket as before.
import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

interface WriteRequest {
  handle: unknown;
  oncomplete: (status: number) => void;
  /** The connection's failure callback, while the write is queued. */
  fail: ((error: Error & { code: string }) => void) | undefined;
  /** The bytes of a queued write, kept alive until libuv has written them. */
  bytes: Buffer | undefined;
}

interface StreamHandle {
  writeBuffer(request: WriteRequest, bytes: Buffer): number;
  writeQueueSize: number;
}

interface StreamBinding {
  WriteWrap: new () => WriteRequest;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

/** A write failure as net.js reports one: the error code (EPIPE, ECONNRESET...) as `code`. */
function writeError(status: number): Error & { code: string } {
  const code = getSystemErrorName(status);
  return Object.assign(new Error(`write ${code}`), { code, errno: status, syscall: 'write' });
}

function onQueuedWriteDone(this: WriteRequest, status: number): void {
  const fail = this.fail;
  this.fail = undefined;
  this.bytes = undefined;
  if (status < 0 && fail !== undefined) fail(writeError(status));
}

function binding(): StreamBinding | undefined {
  try {
    const found = (process as unknown as { binding(name: string): Partial<StreamBinding> }).binding('stream_wrap');
    if (typeof found.WriteWrap !== 'function' || !(found.streamBaseState instanceof Int32Array) || typeof found.kLastWriteWasAsync !== 'number') return undefined;
    return found as StreamBinding;
  } catch {
    return undefined;
  }
}

const STREAM = binding();

export type DirectWriter = (socket: Socket, bytes: Buffer, fail: (error: Error & { code: string }) => void) => boolean;

/**
 * Writes `bytes` on `socket`'s handle; false when that cannot be done here (nothing written: the
 * caller writes through the socket). `fail` is called (now, or when a queued write completes) if
 * the write fails. Only for a connected plain TCP socket; the caller never has more than one
 * request's bytes in flight on it.
 */
export function directWriter(): DirectWriter | undefined {
  const stream = STREAM;
  if (stream === undefined) return undefined;
  const { WriteWrap, streamBaseState, kLastWriteWasAsync } = stream;
  // One request object serves every synchronous write (libuv does not keep it); a queued write
  // keeps the one it was given until it completes, and the next write takes a fresh one.
  let spare: WriteRequest | undefined;
  return (socket, bytes, fail) => {
    const handle = (socket as unknown as { _handle: StreamHandle | null })._handle;
    // Bytes already waiting in the stream or in libuv go first: the stream keeps them in order.
    if (handle === null || socket.writableLength > 0 || handle.writeQueueSize > 0) return false;
    let request = spare;
    spare = undefined;
    if (request === undefined) {
      request = new WriteWrap();
      request.oncomplete = onQueuedWriteDone;
    }
    request.handle = handle;
    const status = handle.writeBuffer(request, bytes);
    if (status !== 0) {
      spare = request;
      fail(writeError(status));
    } else if (streamBaseState[kLastWriteWasAsync] !== 0) {
      request.fail = fail;
      request.bytes = bytes;
    } else {
      spare = request;
    }
    return true;
  };
}
