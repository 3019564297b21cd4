// The driver's HTTP/1.1 keep-alive connection pool, on plain sockets: a request is written as
// one string the moment it is dispatched on a free connection, and its response read by
// http1-response-parser.ts. It takes the same dispatch(request, handler) call and handler
// callbacks (onConnect, onHeaders, onData, onComplete, onError) as undici's dispatch API, and
// fails the way undici does (socket error codes, UND_ERR_SOCKET for a connection cut short), so
// the action runner and its failure kinds do not change. What it leaves out is what the driver
// never uses: pipelining, upgrades, HTTP/2, redirects, proxies. Why not undici's Pool: per
// response, its parser and queueing cost more than the rest of an action together, and the
// driver then measures itself (docs/performance.md).
//
// There is no connect, headers or body timeout here: the action's timeout covers them all (the
// driver's sweep aborts a request past its action's deadline, connecting or not).
//
// Connections as a browser's: opened on demand up to `connections`, reused newest first, closed
// after `keepAliveMs` idle, or one second before the server said it would close them
// (`Keep-Alive: timeout=N`, as undici does), so a request is rarely written on a connection the
// server is closing. If that happens anyway (the server closed it first), an idempotent request that got
// no byte back is sent again on a fresh connection, as browsers do.
import { channel } from 'node:diagnostics_channel';
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { directWriter, type DirectWriter } from './direct-write.ts';
import type { HttpRequest, RequestDispatcher, ResponseHandler } from './exchange.ts';
import { ResponseParser, type ResponseEvents } from './http1-response-parser.ts';
import type { ResponseHeaders } from './response-headers.ts';

export interface Http1PoolOptions {
  /** Connections open at most; requests wait for one beyond that. */
  connections: number;
  /** Idle connections close after this long when the server did not say (default 4 s, as undici). */
  keepAliveMs?: number;
  /** The longest a server's `Keep-Alive: timeout=N` may keep them (default 10 minutes, as undici). */
  maxKeepAliveMs?: number;
}

/**
 * Each request dispatched, as `{ request }` (method, path, headers, body), for whoever listens
 * (tests observing what a profile sends); free when nobody does.
 */
export const requestCreated = channel('migrascope:request:create');

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const SWEEP_EVERY_MS = 1000;
/** Where every plain-TCP connection reads (one read at a time: the event loop is one thread). */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
/** Writes a plain-TCP request's bytes to the socket's handle (direct-write.ts), where Node allows. */
const DIRECT_WRITE = directWriter();

/** A transport failure with an error code, as undici and Node's sockets report them. */
class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

export class Http1Pool implements RequestDispatcher {
  readonly #host: string;
  readonly #port: number;
  readonly #tls: boolean;
  readonly #hostHeader: string;
  readonly #max: number;
  readonly #keepAliveMs: number;
  readonly #maxKeepAliveMs: number;
  /** Free connections; the most recently freed last (reused first, while it is warm). */
  readonly #idle: Connection[] = [];
  /** Every connection open or opening. */
  readonly #all = new Set<Connection>();
  /** Requests waiting for a connection, oldest first (from #waitingHead on). */
  #waiting: { request: HttpRequest; handler: ResponseHandler }[] = [];
  #waitingHead = 0;
  #closed = false;
  #sweeper: NodeJS.Timeout | undefined;
  /** The heads of reused requests, checked and encoded once (latin1 bytes, written as they are). */
  readonly #wires = new WeakMap<HttpRequest, Buffer>();

  constructor(origin: string | URL, options: Http1PoolOptions) {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`Http1Pool: ${url.protocol} is not http: or https:`);
    this.#tls = url.protocol === 'https:';
    this.#host = url.hostname.replace(/^\[|\]$/g, '');
    this.#port = Number(url.port || (this.#tls ? 443 : 80));
    this.#hostHeader = url.host;
    this.#max = Math.max(1, options.connections);
    this.#keepAliveMs = options.keepAliveMs ?? 4000;
    this.#maxKeepAliveMs = options.maxKeepAliveMs ?? 600_000;
  }

  /** Connections open or opening. */
  get openConnections(): number {
    return this.#all.size;
  }

  dispatch(request: HttpRequest, handler: ResponseHandler): boolean {
    if (this.#closed) {
      handler.onError(new TransportError('UND_ERR_CLOSED', 'the connection pool is closed'));
      return false;
    }
    const invalid = request.reused === true && this.#wires.has(request) ? undefined : invalidRequest(request);
    if (invalid !== undefined) {
      handler.onError(new TransportError('UND_ERR_INVALID_ARG', invalid));
      return false;
    }
    if (requestCreated.hasSubscribers) requestCreated.publish({ request });
    const connection = this.#idle.pop() ?? (this.#all.size < this.#max ? this.#connect() : undefined);
    if (connection === undefined) {
      this.#waiting.push({ request, handler });
      return false;
    }
    connection.send(request, handler);
    return true;
  }

  /** No new requests; idle connections close (the driver closes the pool when none is in flight). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#sweeper) clearInterval(this.#sweeper);
    for (const connection of this.#idle) connection.destroy();
    this.#idle.length = 0;
  }

  /** As close(), and the requests in flight or waiting fail now. */
  async destroy(): Promise<void> {
    await this.close();
    for (const connection of this.#all) connection.destroy();
    const waiting = this.#waiting.slice(this.#waitingHead);
    this.#waiting = [];
    this.#waitingHead = 0;
    for (const { handler } of waiting) handler.onError(new TransportError('UND_ERR_DESTROYED', 'the connection pool was destroyed'));
  }

  /** The request line and headers to write: encoded once for a reused request, else as a string. */
  headOf(request: HttpRequest, bodyLength: number): string | Buffer {
    if (request.reused !== true || bodyLength >= 0) return this.encodeHead(request, bodyLength);
    let wire = this.#wires.get(request);
    if (wire === undefined) {
      wire = Buffer.from(this.encodeHead(request, bodyLength), 'latin1');
      this.#wires.set(request, wire);
    }
    return wire;
  }

  /** The request line and headers, as one string (latin1 on the wire). */
  encodeHead(request: HttpRequest, bodyLength: number): string {
    let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${this.#hostHeader}\r\n`;
    const headers = request.headers;
    for (let i = 0; i + 1 < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
    if (bodyLength >= 0) head += `content-length: ${bodyLength}\r\n`;
    return `${head}\r\n`;
  }

  /** A connection has finished a response and may take the next request. */
  release(connection: Connection): void {
    const next = this.#nextWaiting();
    if (next !== undefined) {
      connection.send(next.request, next.handler);
      return;
    }
    if (this.#closed) {
      connection.destroy();
      return;
    }
    connection.idleSince = performance.now();
    this.#idle.push(connection);
    this.#sweeper ??= setInterval(() => this.#sweep(), SWEEP_EVERY_MS).unref();
  }

  /** A connection is gone (closed by either side, or failed). */
  forget(connection: Connection): void {
    this.#all.delete(connection);
    const at = this.#idle.indexOf(connection);
    if (at >= 0) this.#idle.splice(at, 1);
    // A request was waiting for a connection to free up: it may open one now.
    if (!this.#closed && this.#waitingHead < this.#waiting.length) {
      const next = this.#nextWaiting();
      if (next !== undefined) this.#connect().send(next.request, next.handler);
    }
  }

  /** Sends a request that found its connection closed under it on a new one. */
  retry(request: HttpRequest, handler: ResponseHandler): void {
    if (this.#closed) handler.onError(new TransportError('UND_ERR_CLOSED', 'the connection pool is closed'));
    else if (this.#all.size < this.#max) this.#connect().send(request, handler);
    else this.#waiting.push({ request, handler });
  }

  /** How long a connection may stay idle: a second less than the server said, else the default. */
  keepAliveFor(hintSeconds: number | undefined): number {
    return hintSeconds === undefined ? this.#keepAliveMs : Math.min(this.#maxKeepAliveMs, hintSeconds * 1000 - 1000);
  }

  #nextWaiting(): { request: HttpRequest; handler: ResponseHandler } | undefined {
    if (this.#waitingHead >= this.#waiting.length) return undefined;
    const next = this.#waiting[this.#waitingHead]!;
    this.#waitingHead += 1;
    // Drop the consumed front now and then rather than shifting on every request.
    if (this.#waitingHead > 1024 && this.#waitingHead * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#waitingHead);
      this.#waitingHead = 0;
    }
    return next;
  }

  #connect(): Connection {
    const connection = new Connection(this, this.#host, this.#port, this.#tls);
    this.#all.add(connection);
    return connection;
  }

  #sweep(): void {
    const at = performance.now();
    for (let i = this.#idle.length - 1; i >= 0; i--) {
      const connection = this.#idle[i]!;
      if (at - connection.idleSince > connection.keepAliveMs) connection.destroy();
    }
  }
}

/** Why the request cannot be written as it is, or undefined. */
function invalidRequest(request: HttpRequest): string | undefined {
  const path = request.path;
  if (path === '') return 'an empty request path';
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i);
    // Control characters, spaces and DEL would break the request line: they must be %-encoded.
    if (code <= 0x20 || code === 0x7f) return `invalid request path "${path}" (spaces and control characters must be percent-encoded)`;
  }
  const headers = request.headers;
  for (let i = 1; i < headers.length; i += 2) {
    const value = headers[i]!;
    for (let k = 0; k < value.length; k++) {
      const code = value.charCodeAt(k);
      // A line break would end the header early (header injection); NUL is never allowed.
      if (code === 0x0d || code === 0x0a || code === 0) return `invalid value for header "${headers[i - 1]}" (line breaks are not allowed)`;
    }
  }
  return undefined;
}

/** One keep-alive connection and the request it is carrying, if any. */
class Connection implements ResponseEvents {
  readonly #pool: Http1Pool;
  readonly #socket: Socket;
  readonly #parser: ResponseParser;
  #connected = false;
  /** Bytes waiting for the connection to be established. */
  #pending: (string | Buffer)[] | undefined;
  #request: HttpRequest | undefined;
  #handler: ResponseHandler | undefined;
  /** While the handler's onConnect runs: an abort then means the request is never written. */
  #starting = false;
  #abortedEarly: Error | undefined;
  /** It has carried a whole response (so a close before the next one's first byte may be a race). */
  #reused = false;
  #gone = false;
  idleSince = 0;
  keepAliveMs: number;
  /** Given to each request's handler: one function per connection, not one per request. */
  readonly abort: (error?: Error) => void;
  readonly #directWrite: DirectWriter | undefined;
  /** A direct write failed (now, or when libuv finished a queued one), as a socket 'error' would. */
  readonly #writeFailed = (error: Error): void => this.#fail(error);

  constructor(pool: Http1Pool, host: string, port: number, tls: boolean) {
    this.#pool = pool;
    this.#parser = new ResponseParser(this);
    this.keepAliveMs = pool.keepAliveFor(undefined);
    this.abort = (error) => this.#abort(error ?? new TransportError('UND_ERR_ABORTED', 'the request was aborted'));
    this.#directWrite = tls ? undefined : DIRECT_WRITE;
    // Plain TCP reads into one buffer shared by every connection (onread): no Buffer and no
    // stream machinery per read; nothing is copied that does not outlive the read (the handler
    // copies what it keeps). TLS reads as a stream.
    const socket = tls
      ? connectTls({ host, port, servername: isIP(host) === 0 ? host : undefined, ALPNProtocols: ['http/1.1'] })
      : connectTcp({ host, port, onread: { buffer: READ_BUFFER, callback: (length: number) => this.#onRead(length) } });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on(tls ? 'secureConnect' : 'connect', () => this.#onConnected());
    if (tls) socket.on('data', (chunk: Buffer) => this.#onData(chunk, chunk.length));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (error: Error) => this.#fail(error));
    socket.on('close', () => this.#onClose());
  }

  send(request: HttpRequest, handler: ResponseHandler): void {
    this.#request = request;
    this.#handler = handler;
    this.#abortedEarly = undefined;
    this.#starting = true;
    handler.onConnect(this.abort);
    this.#starting = false;
    const early = this.#abortedEarly;
    if (early !== undefined) {
      // Timed out while it waited for this connection: the connection itself is fine.
      this.#request = undefined;
      this.#handler = undefined;
      this.#pool.release(this);
      handler.onError(early);
      return;
    }
    this.#parser.expect(request.method);
    const body = request.body;
    const bodyLength = body === undefined ? -1 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const head = this.#pool.headOf(request, bodyLength);
    if (!this.#connected) {
      this.#pending = body === undefined ? [head] : [head, body];
      return;
    }
    this.#write(head, body);
  }

  destroy(): void {
    this.#socket.destroy();
  }

  // ResponseEvents, from the parser.
  onHead(status: number, headers: ResponseHeaders): void {
    this.#handler?.onHeaders(status, headers);
  }

  onBody(bytes: Buffer, start: number, end: number): void {
    this.#handler?.onData(bytes, start, end);
  }

  onEnd(keepAlive: boolean): void {
    const handler = this.#handler;
    this.#handler = undefined;
    this.#request = undefined;
    this.#reused = true;
    if (keepAlive && !this.#gone) {
      this.keepAliveMs = this.#pool.keepAliveFor(this.#parser.keepAliveHintSeconds);
      this.#pool.release(this);
    } else {
      this.destroy();
    }
    handler?.onComplete();
  }

  #write(head: string | Buffer, body: string | Buffer | undefined): void {
    if (body === undefined) {
      if (typeof head !== 'string' && this.#directWrite?.(this.#socket, head, this.#writeFailed) === true) return;
      this.#socket.write(head, 'latin1');
      return;
    }
    // One writev for head and body.
    this.#socket.cork();
    this.#socket.write(head, 'latin1');
    this.#socket.write(body);
    this.#socket.uncork();
  }

  #onConnected(): void {
    this.#connected = true;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined) this.#write(pending[0]!, pending[1]);
  }

  /** A plain-TCP read of `length` bytes into READ_BUFFER; true: keep reading. */
  #onRead(length: number): boolean {
    this.#onData(READ_BUFFER, length);
    return true;
  }

  /** The first `length` bytes of `chunk` were read (valid until the next read). */
  #onData(chunk: Buffer, length: number): void {
    try {
      this.#parser.feed(chunk, 0, length);
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  /** The server closed its side: the end of a body that runs until the close, or a cut. */
  #onEnd(): void {
    if (this.#handler !== undefined && !this.#parser.closed()) this.#fail(new TransportError('UND_ERR_SOCKET', 'other side closed'));
  }

  #onClose(): void {
    if (this.#handler !== undefined) this.#fail(new TransportError('UND_ERR_SOCKET', 'the connection closed before the response was complete'));
    if (!this.#gone) {
      this.#gone = true;
      this.#pool.forget(this);
    }
  }

  #abort(error: Error): void {
    if (this.#handler === undefined) return;
    if (this.#starting) {
      this.#abortedEarly = error;
      return;
    }
    this.#fail(error, false);
  }

  /** The request in flight fails (and the connection goes): sent again when that is safe. */
  #fail(error: Error, mayRetry = true): void {
    const handler = this.#handler;
    const request = this.#request;
    this.#handler = undefined;
    this.#request = undefined;
    if (!this.#gone) {
      this.#gone = true;
      this.#socket.destroy();
      this.#pool.forget(this);
    }
    if (handler === undefined || request === undefined) return;
    if (mayRetry && this.#reused && !this.#parser.started && IDEMPOTENT.has(request.method)) {
      this.#pool.retry(request, handler);
      return;
    }
    handler.onError(error);
  }
}
