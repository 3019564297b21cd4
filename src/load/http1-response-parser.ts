// Reads HTTP/1.1 responses off a keep-alive connection, as bytes arrive: the status line and
// headers (handed on as where each name and value lies in the head's bytes, nothing parsed or
// copied that nobody reads: response-headers.ts), then the body
// framed as RFC 9112 section 6.3 says: none (HEAD, 1xx, 204, 304), chunked, Content-Length, or
// up to the close of the connection. Interim 1xx responses are skipped. One response at a time:
// the driver never pipelines, so bytes after a complete response mean the connection cannot be
// trusted, and it is not kept.
//
// It exists because the driver's hot path is this loop: undici's llhttp parser behind its
// Pool costs more per response than the whole rest of an action (bench/, docs/performance.md).
import { bytesAre, ResponseHeaders } from './response-headers.ts';

/** A response the server should not have sent; `code` makes it a transport failure. */
export class ResponseParseError extends Error {
  readonly code = 'EPROTO';
  constructor(message: string) {
    super(`the server's answer is not valid HTTP/1.1: ${message}`);
    this.name = 'ResponseParseError';
  }
}

/**
 * What the connection hears from the parser, in order: one head, body pieces, one end. The head's
 * headers and each body piece may point into a read buffer that the next read overwrites: they are
 * valid during the call only (copy what is kept). Nothing is copied for a listener that only counts.
 */
export interface ResponseEvents {
  onHead(status: number, headers: ResponseHeaders): void;
  /** Bytes [start, end) of `bytes` are the next piece of the body. */
  onBody(bytes: Buffer, start: number, end: number): void;
  /** `keepAlive`: the connection may carry another request. */
  onEnd(keepAlive: boolean): void;
}

/** Heads larger than this are refused (as undici's 16 KiB default, with room to spare). */
export const MAX_HEAD_BYTES = 64 * 1024;

const CR = 13;
const LF = 10;
const COLON = 58;
const SPACE = 32;
const TAB = 9;

const PHASE = {
  idle: 0,
  head: 1,
  length: 2,
  chunkSize: 3,
  chunkData: 4,
  chunkDataEnd: 5,
  trailers: 6,
  untilClose: 7,
} as const;
type Phase = (typeof PHASE)[keyof typeof PHASE];

export class ResponseParser {
  readonly #events: ResponseEvents;
  #phase: Phase = PHASE.idle;
  #noBody = false;
  /** Head bytes received so far when the head spans several reads. */
  #partialHead: Buffer | undefined;
  #remaining = 0;
  #keepAlive = true;
  #started = false;
  // Chunk-size line state: digits seen, whether past the digits (extension or whitespace).
  #sizeDigits = 0;
  #sizeDone = false;
  // Chunk-data CRLF and trailer-line state.
  #seenCr = false;
  #lineEmpty = true;
  /** The view of each head's headers handed to onHead (one per parser, reused). */
  readonly #headers = new ResponseHeaders();
  /** Seconds from the server's `Keep-Alive: timeout=N`, when it said. */
  keepAliveHintSeconds: number | undefined;

  constructor(events: ResponseEvents) {
    this.#events = events;
  }

  /** Whether any byte of the current response has arrived. */
  get started(): boolean {
    return this.#started;
  }

  /** Whether a response is expected and not yet complete. */
  get busy(): boolean {
    return this.#phase !== PHASE.idle;
  }

  /** Expects the response to a request of `method`. */
  expect(method: string): void {
    this.#phase = PHASE.head;
    this.#noBody = method === 'HEAD';
    this.#partialHead = undefined;
    this.#keepAlive = true;
    this.#started = false;
    this.keepAliveHintSeconds = undefined;
  }

  /**
   * Feeds bytes [start, end) of `chunk`, read from the connection; throws ResponseParseError on a
   * malformed response. The bytes may be a shared read buffer that the next read overwrites: what
   * the parser keeps (a head split across reads) it copies.
   */
  feed(chunk: Buffer, start = 0, end = chunk.length): void {
    // An empty read says nothing, even between responses (it is not "0 bytes nobody asked for").
    if (end <= start) return;
    if (this.#phase === PHASE.idle) throw new ResponseParseError(`${end - start} bytes arrived that no request asked for`);
    this.#started = true;
    let at = start;
    while (at < end) {
      // Read anew each turn: an end inside the previous turn moved the phase.
      const phase = this.#phase as Phase;
      switch (phase) {
        case PHASE.idle:
          // The response ended with bytes after it: onEnd said not to keep the connection.
          return;
        case PHASE.head:
          at = this.#head(chunk, at, end);
          break;
        case PHASE.length: {
          const take = Math.min(this.#remaining, end - at);
          this.#remaining -= take;
          this.#events.onBody(chunk, at, at + take);
          at += take;
          if (this.#remaining === 0) this.#end(at === end);
          break;
        }
        case PHASE.untilClose:
          this.#events.onBody(chunk, at, end);
          return;
        default:
          at = this.#chunked(chunk, at, end);
      }
    }
  }

  /**
   * The server closed the connection. Completes a body that runs until the close (and returns
   * true); false when the response was cut short (or none was expected).
   */
  closed(): boolean {
    if (this.#phase !== PHASE.untilClose) return false;
    this.#phase = PHASE.idle;
    this.#events.onEnd(false);
    return true;
  }

  /** Parses the head in chunk[at, end) once it is complete; returns where the bytes after it start. */
  #head(chunk: Buffer, at: number, end: number): number {
    const partial = this.#partialHead;
    // A head split across reads (rare) is put together in a buffer of its own.
    const data = partial === undefined ? chunk : Buffer.concat([partial, chunk.subarray(at, end)]);
    const start = partial === undefined ? at : 0;
    // One pass in JavaScript over the head's bytes (a few hundred) costs less than a native
    // indexOf per line: the line ends and colons are noted, then the head is read if complete.
    const lines = scanHead(data, start, partial === undefined ? end : data.length);
    if (lines < 0) {
      if (data.length - start > MAX_HEAD_BYTES) throw new ResponseParseError(`a head longer than ${MAX_HEAD_BYTES} bytes`);
      // Copied: the read buffer is overwritten by the next read.
      this.#partialHead = partial === undefined ? Buffer.from(chunk.subarray(at, end)) : data;
      return end;
    }
    this.#partialHead = undefined;
    const marks = MARKS;
    const headEnd = marks[0]!;
    // Where the bytes after the head start in `chunk`.
    const next = partial === undefined ? headEnd : at + headEnd - partial.length;
    const status = this.#statusLine(data, start, headEnd);
    if (status >= 100 && status < 200) {
      if (status === 101) throw new ResponseParseError('101 Switching Protocols to a request that asked for no upgrade');
      // An interim response (100 Continue, 103 Early Hints): the real one follows.
      return next;
    }
    const headers = this.#headers;
    headers.reset(data);
    let length = -1;
    let chunked = false;
    let transferEncoded = false;
    for (let line = 0; line < lines; line++) {
      const lineStart = marks[1 + 3 * line]!;
      const colon = marks[2 + 3 * line]!;
      const contentEnd = marks[3 + 3 * line]!;
      if (colon < 0 || colon === lineStart) throw new ResponseParseError(`a header line without a name: "${data.toString('latin1', lineStart, contentEnd)}"`);
      let valueStart = colon + 1;
      let valueEnd = contentEnd;
      while (valueStart < valueEnd && (data[valueStart] === SPACE || data[valueStart] === TAB)) valueStart++;
      while (valueEnd > valueStart && (data[valueEnd - 1] === SPACE || data[valueEnd - 1] === TAB)) valueEnd--;
      headers.add(lineStart, colon, valueStart, valueEnd);
      const valueLength = valueEnd - valueStart;
      // Only the framing headers are read here, found by length first (no string per header).
      switch (colon - lineStart) {
        case 14:
          if (bytesAre(data, lineStart, 'content-length')) {
            const parsed = contentLength(data, valueStart, valueEnd);
            if (length >= 0 && parsed !== length) throw new ResponseParseError('two different Content-Length headers');
            length = parsed;
          }
          break;
        case 17:
          if (bytesAre(data, lineStart, 'transfer-encoding')) {
            transferEncoded = true;
            chunked = /(?:^|,)\s*chunked\s*$/i.test(data.toString('latin1', valueStart, valueEnd));
          }
          break;
        case 10:
          if (bytesAre(data, lineStart, 'connection')) {
            // The two values servers send, compared as bytes; a list of tokens the slow way.
            if (valueLength === 10 && bytesAre(data, valueStart, 'keep-alive')) this.#keepAlive = true;
            else if (valueLength === 5 && bytesAre(data, valueStart, 'close')) this.#keepAlive = false;
            else {
              const tokens = data.toString('latin1', valueStart, valueEnd).toLowerCase();
              if (/(?:^|,)\s*close\s*(?:,|$)/.test(tokens)) this.#keepAlive = false;
              else if (/(?:^|,)\s*keep-alive\s*(?:,|$)/.test(tokens)) this.#keepAlive = true;
            }
          } else if (bytesAre(data, lineStart, 'keep-alive')) {
            const timeout = /timeout\s*=\s*(\d+)/i.exec(data.toString('latin1', valueStart, valueEnd));
            if (timeout) this.keepAliveHintSeconds = Number(timeout[1]);
          }
          break;
      }
    }
    this.#events.onHead(status, headers);
    if (this.#noBody || status === 204 || status === 304) {
      this.#end(next === end);
    } else if (transferEncoded) {
      // With both, Transfer-Encoding wins and the connection must not be reused (RFC 9112 6.3).
      if (length >= 0) this.#keepAlive = false;
      if (chunked) this.#startChunk();
      else {
        this.#keepAlive = false;
        this.#phase = PHASE.untilClose;
      }
    } else if (length === 0) {
      this.#end(next === end);
    } else if (length > 0) {
      this.#phase = PHASE.length;
      this.#remaining = length;
    } else {
      this.#keepAlive = false;
      this.#phase = PHASE.untilClose;
    }
    return next;
  }

  /** The status code of the line at `s`; also reads the version (HTTP/1.0 closes unless it said keep-alive). */
  #statusLine(data: Buffer, s: number, headEnd: number): number {
    // "HTTP/1.x SSS": 12 bytes at least; "HTTP/1." as bytes.
    const prefix = headEnd - s >= 12 && data[s] === 72 && data[s + 1] === 84 && data[s + 2] === 84 && data[s + 3] === 80 && data[s + 4] === 47 && data[s + 5] === 49 && data[s + 6] === 46;
    if (!prefix || data[s + 8] !== SPACE) {
      const lineEnd = data.indexOf(CR, s);
      throw new ResponseParseError(`the status line "${data.toString('latin1', s, Math.min(s + 40, lineEnd >= 0 ? lineEnd : s + 40, data.length))}"`);
    }
    const d0 = data[s + 9]! - 48;
    const d1 = data[s + 10]! - 48;
    const d2 = data[s + 11]! - 48;
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) throw new ResponseParseError(`the status code "${data.toString('latin1', s + 9, s + 12)}"`);
    if (data[s + 7] === 48) this.#keepAlive = false;
    return d0 * 100 + d1 * 10 + d2;
  }

  #startChunk(): void {
    this.#phase = PHASE.chunkSize;
    this.#remaining = 0;
    this.#sizeDigits = 0;
    this.#sizeDone = false;
    this.#seenCr = false;
  }

  /** Chunked body in chunk[at, end): size lines, data, CRLFs, the last chunk, trailers. Returns where the bytes left start. */
  #chunked(chunk: Buffer, at: number, end: number): number {
    let i = at;
    while (i < end) {
      const byte = chunk[i]!;
      switch (this.#phase) {
        case PHASE.chunkSize: {
          i++;
          if (byte === LF) {
            if (this.#sizeDigits === 0) throw new ResponseParseError('a chunk without a size');
            if (this.#remaining === 0) {
              this.#phase = PHASE.trailers;
              this.#lineEmpty = true;
            } else {
              this.#phase = PHASE.chunkData;
            }
          } else if (byte === CR || this.#sizeDone) {
            // The CR before LF, or a chunk extension (";name=value"), ignored.
          } else {
            const digit = hexValue(byte);
            if (digit < 0) {
              if (byte === 59 || byte === SPACE || byte === TAB) this.#sizeDone = true;
              else throw new ResponseParseError(`a chunk size with "${String.fromCharCode(byte)}"`);
            } else {
              this.#remaining = this.#remaining * 16 + digit;
              this.#sizeDigits++;
              if (this.#remaining > Number.MAX_SAFE_INTEGER / 16) throw new ResponseParseError('a chunk too large');
            }
          }
          break;
        }
        case PHASE.chunkData: {
          const take = Math.min(this.#remaining, end - i);
          this.#events.onBody(chunk, i, i + take);
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            this.#phase = PHASE.chunkDataEnd;
            this.#seenCr = false;
          }
          break;
        }
        case PHASE.chunkDataEnd: {
          i++;
          if (byte === CR && !this.#seenCr) this.#seenCr = true;
          else if (byte === LF) this.#startChunk();
          else throw new ResponseParseError('chunk data longer than its size');
          break;
        }
        case PHASE.trailers: {
          i++;
          if (byte === LF) {
            if (this.#lineEmpty) {
              this.#end(i === end);
              return i;
            }
            this.#lineEmpty = true;
          } else if (byte !== CR) {
            this.#lineEmpty = false;
          }
          break;
        }
        default:
          return i;
      }
    }
    return end;
  }

  /** `clean`: nothing followed the response in the same read. */
  #end(clean: boolean): void {
    this.#phase = PHASE.idle;
    this.#events.onEnd(this.#keepAlive && clean);
  }
}

/**
 * Where scanHead noted the head's lines: [0] the offset after the head, then per header line its
 * start, its first colon (-1 if none) and its end (before CR LF). Reused by every parse.
 */
let MARKS = new Int32Array(1 + 3 * 64);

/**
 * Finds the end of the head (an empty line) in data[start, end) in one pass, noting each header
 * line in MARKS (offsets in `data`). Returns the number of header lines, or -1 when the head is
 * not complete yet. Lines may end in CR LF or a bare LF.
 */
function scanHead(data: Buffer, start: number, end: number): number {
  // MARKS is read into a local (a module binding is loaded again at every use).
  let marks = MARKS;
  let i = start;
  while (i < end && data[i] !== LF) i++;
  let lines = 0;
  for (let lineStart = i + 1; lineStart < end; lineStart = i + 1) {
    // The name, up to the first colon (or the end of the line)...
    let colon = -1;
    for (i = lineStart; i < end; i++) {
      const byte = data[i];
      if (byte === COLON) {
        colon = i;
        break;
      }
      if (byte === LF) break;
    }
    // ...then the rest of the line, looking only for its end.
    if (colon >= 0) for (i = colon + 1; i < end && data[i] !== LF; i++);
    if (i >= end) return -1;
    const contentEnd = i > lineStart && data[i - 1] === CR ? i - 1 : i;
    if (contentEnd === lineStart) {
      marks[0] = i + 1;
      return lines;
    }
    if (3 * lines + 4 > marks.length) {
      const grown = new Int32Array(marks.length * 2);
      grown.set(marks);
      MARKS = marks = grown;
    }
    marks[1 + 3 * lines] = lineStart;
    marks[2 + 3 * lines] = colon;
    marks[3 + 3 * lines] = contentEnd;
    lines++;
  }
  return -1;
}

/** The Content-Length in data[start, end). */
function contentLength(data: Buffer, start: number, end: number): number {
  if (end === start || end - start > 15) throw new ResponseParseError(`Content-Length "${data.toString('latin1', start, end)}"`);
  let length = 0;
  for (let i = start; i < end; i++) {
    const digit = data[i]! - 48;
    if (digit < 0 || digit > 9) throw new ResponseParseError(`Content-Length "${data.toString('latin1', start, end)}"`);
    length = length * 10 + digit;
  }
  return length;
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  const lower = byte | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}
