// The database guest's wire: one JSON line a request ({"method", "args"}), one a reply
// ({"result"} or {"error": {"message", "field"?}}), in order on each connection. Bytes (uploads,
// stored pictures) travel as {"$bytes": base64}. A client sends its next request only once the
// reply came, so the guest proxy times each answer as it does an HTTP one.
import type { Socket } from 'node:net';

export interface StoreRequest {
  method: string;
  args: unknown[];
}

export type StoreReply = { result?: unknown } | { error: { message: string; field?: string } };

/** The longest line either side accepts: an upload or a stored blob, base64, with room to spare. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export function encodeLine(value: unknown): string {
  return `${JSON.stringify(toWire(value))}\n`;
}

export function decodeLine(line: string): unknown {
  return fromWire(JSON.parse(line));
}

function toWire(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toWire(item)]));
  return value;
}

function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.$bytes === 'string' && Object.keys(record).length === 1) return Buffer.from(record.$bytes, 'base64');
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, fromWire(item)]));
  }
  return value;
}

/** Calls `onLine` with each complete line the socket receives; a line too long destroys the socket. */
export function readLines(socket: Socket, onLine: (line: string) => void): void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      const line = Buffer.concat([...pending, chunk.subarray(start, end)]).toString('utf8');
      pending = [];
      pendingBytes = 0;
      start = end + 1;
      onLine(line);
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) socket.destroy(new Error(`a line of the store protocol exceeded ${MAX_LINE_BYTES} bytes`));
    }
  });
}
