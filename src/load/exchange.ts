// One HTTP request and its response, through a dispatcher with undici's dispatch API: the
// driver's own Http1Pool (http1-pool.ts), with callbacks shaped as undici's dispatch handler's.
// The handler takes the Set-Cookie values, keeps the headers and the body only when the profile
// reads them, and counts and drops everything else: a response that nobody reads costs no copy.
// A failure is classified the way the results report it: connect, timeout, status, body or tls.
import type { ErrorKind } from '../recording/index.ts';
import type { ResponseHeaders } from './response-headers.ts';

export interface HttpRequest {
  method: string;
  path: string;
  /** Flat [name, value, name, value...]: undici's cheapest header form. */
  headers: string[];
  body: string | Buffer | undefined;
  /**
   * The same object is sent again and again, never changed (a step that is the same for every
   * user): the pool checks and encodes it once.
   */
  reused?: boolean;
}

/**
 * undici's dispatch handler callbacks, the ones the driver uses, except that the headers and body
 * pieces may point into a read buffer that the next read overwrites: they are valid during the
 * call only, and a handler copies what it keeps.
 */
export interface ResponseHandler {
  /** `abort(error)` ends the request: it fails with `error`. */
  onConnect(abort: (error?: Error) => void): void;
  onHeaders(status: number, headers: ResponseHeaders): boolean;
  /** Bytes [start, end) of `bytes` are the next piece of the body. */
  onData(bytes: Buffer, start: number, end: number): boolean;
  onComplete(): void;
  onError(error: Error): void;
}

/** What the driver needs of a connection pool (Http1Pool). */
export interface RequestDispatcher {
  dispatch(request: HttpRequest, handler: ResponseHandler): boolean;
  close(): Promise<void>;
}

export interface HttpResponse {
  status: number;
  /** The headers as received, when asked for (`keepHeaders`), else undefined. */
  headers: ResponseHeaders | undefined;
  /** The Set-Cookie values, in order; undefined when there were none. */
  setCookies: string[] | undefined;
  /** The body as text when asked for, else undefined. */
  body: string | undefined;
  bytes: number;
}

/** A failed request (or a failed check of its response), with the kind the results count. */
export class ActionFailure extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ActionFailure';
    this.kind = kind;
  }
}

/** The action ran past its timeout; raised into the in-flight request. */
export class ActionTimeout extends ActionFailure {
  constructor(timeoutMs: number) {
    super('timeout', `no complete response within the action's timeout of ${timeoutMs} ms`);
  }
}

/** Errors raised before any byte of a response arrived that mean "no usable connection". */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
/** OpenSSL's certificate verdicts (Node's error codes for them) and Node's own TLS errors. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
]);

function isTlsFailure(code: string): boolean {
  return TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_');
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * The kind of a transport error. Before the response's headers, a broken connection is a
 * `connect` failure (the user got nothing); after them, any failure is a `body` failure (the
 * page was cut off).
 */
export function classify(error: unknown, headersReceived: boolean): ActionFailure {
  if (error instanceof ActionFailure) return error;
  const code = (error as { code?: string } | null)?.code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (TIMEOUT_CODES.has(code)) return new ActionFailure('timeout', `${code}: ${message}`, { cause: error });
  if (headersReceived) return new ActionFailure('body', `response cut off: ${code || message}`, { cause: error });
  if (isTlsFailure(code)) return new ActionFailure('tls', `TLS: ${code}: ${message}`, { cause: error });
  if (CONNECT_CODES.has(code) || code.startsWith('E')) return new ActionFailure('connect', `${code}: ${message}`, { cause: error });
  // Anything else (e.g. undici refusing a request path built from a captured value) means the
  // request could not be made from what the previous response held.
  return new ActionFailure('body', `request not sent: ${code ? `${code}: ` : ''}${message}`, { cause: error });
}

/**
 * Sends `request` and settles when its response has been read to the last byte. `expire(reason)`
 * ends it early (a timeout), whether or not undici has handed it to a socket yet.
 */
export class Exchange implements ResponseHandler {
  readonly #keepBody: boolean;
  readonly #keepHeaders: boolean;
  readonly #resolve: (response: HttpResponse) => void;
  readonly #reject: (failure: ActionFailure) => void;
  #abort: ((error?: Error) => void) | undefined;
  #expired: ActionFailure | undefined;
  #settled = false;
  #status = 0;
  #headers: ResponseHeaders | undefined;
  #setCookies: string[] | undefined;
  #chunks: Buffer[] | undefined;
  #bytes = 0;

  constructor(keepBody: boolean, keepHeaders: boolean, resolve: (response: HttpResponse) => void, reject: (failure: ActionFailure) => void) {
    this.#keepBody = keepBody;
    this.#keepHeaders = keepHeaders;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /**
   * Dispatches `request` on `dispatcher`; the promise settles with the response or a failure.
   * `keepBody`, `keepHeaders`: whether the response keeps its body (as text) and its headers.
   * `owner.inFlight` holds the exchange meanwhile, so a timeout sweep can end it.
   */
  static send(dispatcher: RequestDispatcher, request: HttpRequest, keepBody: boolean, keepHeaders: boolean, owner?: { inFlight: Exchange | undefined }): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      const exchange = new Exchange(keepBody, keepHeaders, resolve, reject);
      if (owner) owner.inFlight = exchange;
      try {
        dispatcher.dispatch(request, exchange);
      } catch (error) {
        exchange.onError(error as Error);
      }
    });
  }

  expire(failure: ActionFailure): void {
    if (this.#settled) return;
    this.#expired = failure;
    if (this.#abort) this.#abort(failure);
    // Not on a socket yet (queued or connecting): settle now; onConnect aborts it later.
    else this.#fail(failure);
  }

  onConnect(abort: (error?: Error) => void): void {
    this.#abort = abort;
    if (this.#expired) abort(this.#expired);
  }

  onHeaders(status: number, headers: ResponseHeaders): boolean {
    this.#status = status;
    // Every response is searched for Set-Cookie (byte by byte, no string per header); the rest is
    // copied only when the profile reads a header.
    for (let i = 0; i < headers.length; i++) if (headers.is(i, 'set-cookie')) (this.#setCookies ??= []).push(headers.value(i));
    if (this.#keepHeaders) this.#headers = headers.copy();
    if (this.#keepBody) this.#chunks = [];
    return true;
  }

  onData(bytes: Buffer, start: number, end: number): boolean {
    this.#bytes += end - start;
    this.#chunks?.push(Buffer.from(bytes.subarray(start, end)));
    return true;
  }

  onComplete(): void {
    if (this.#settled) return;
    this.#settled = true;
    const chunks = this.#chunks;
    const body = chunks === undefined ? undefined : chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
    this.#resolve({ status: this.#status, headers: this.#headers, setCookies: this.#setCookies, body, bytes: this.#bytes });
  }

  onError(error: Error): void {
    this.#fail(this.#expired ?? classify(error, this.#status !== 0));
  }

  #fail(failure: ActionFailure): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(failure);
  }
}
