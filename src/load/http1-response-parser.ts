// Reads HTTP/1.1 responses off a keep-alive connection, as bytes arrive: the status line and
// headers (handed on as raw name/value buffers, nothing parsed that nobody reads), then the body
// framed as RFC 9112 section 6.3 says: none (HEAD, 1xx, 204, 304), chunked, Content-Length, or
// up to the close of the connection. Interim 1xx responses are skipped. One response at a time:
// the driver never pipelines, so bytes after a complete response mean the connection cannot be
// trusted, and it is not kept.
//
// It exists because the driver's hot path is this loop: undici's llhttp parser behind its
// Pool costs more per response than the whole rest of an action (bench/, docs/performance.md).

/** A response the server should not have sent; `code` makes it a transport failure. */
export class ResponseParseError extends Error {
  readonly code = 'EPROTO';
  constructor(message: string) {
    super(`the server's answer is not valid HTTP/1.1: ${message}`);
    this.name = 'ResponseParseError';
  }
}

/** What the connection hears from the parser, in order: one head, body pieces, one end. */
export interface ResponseEvents {
  onHead(status: number, headers: Buffer[]): void;
  onBody(chunk: Buffer): void;
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
  #transient = false;
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
   * Feeds bytes read from the connection; throws ResponseParseError on a malformed response.
   * `transient`: the bytes are overwritten once this returns (a shared read buffer), so whatever
   * is handed on or kept is copied first: the head once, each body piece.
   */
  feed(chunk: Buffer, transient = false): void {
    // An empty read says nothing, even between responses (it is not "0 bytes nobody asked for").
    if (chunk.length === 0) return;
    this.#transient = transient;
    if (this.#phase === PHASE.idle) throw new ResponseParseError(`${chunk.length} bytes arrived that no request asked for`);
    this.#started = true;
    let data = chunk;
    while (data.length > 0) {
      // Read anew each turn: an end inside the previous turn moved the phase.
      const phase = this.#phase as Phase;
      switch (phase) {
        case PHASE.idle:
          // The response ended with bytes after it: onEnd said not to keep the connection.
          return;
        case PHASE.head:
          data = this.#head(data);
          break;
        case PHASE.length: {
          const take = Math.min(this.#remaining, data.length);
          this.#remaining -= take;
          this.#body(take === data.length ? data : data.subarray(0, take));
          data = data.subarray(take);
          if (this.#remaining === 0) this.#end(data.length === 0);
          break;
        }
        case PHASE.untilClose:
          this.#body(data);
          return;
        default:
          data = this.#chunked(data);
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

  /** Parses the head once it is complete; returns the bytes after it. */
  #head(chunk: Buffer): Buffer {
    let data = this.#partialHead === undefined ? chunk : Buffer.concat([this.#partialHead, chunk]);
    const transient = this.#transient && data === chunk;
    // One pass in JavaScript over the head's bytes (a few hundred) costs less than a native
    // indexOf per line: the line ends and colons are noted, then the head is read if complete.
    const lines = scanHead(data);
    if (lines < 0) {
      if (data.length > MAX_HEAD_BYTES) throw new ResponseParseError(`a head longer than ${MAX_HEAD_BYTES} bytes`);
      this.#partialHead = transient ? Buffer.from(data) : data;
      return data.subarray(data.length);
    }
    this.#partialHead = undefined;
    const rest = data.subarray(MARKS[0]!);
    // The header buffers outlive this read: on a shared read buffer, they point into a copy.
    if (transient) data = Buffer.from(data.subarray(0, MARKS[0]!));
    const status = this.#statusLine(data);
    if (status >= 100 && status < 200) {
      if (status === 101) throw new ResponseParseError('101 Switching Protocols to a request that asked for no upgrade');
      // An interim response (100 Continue, 103 Early Hints): the real one follows.
      return rest.length === 0 ? rest : this.#head(rest);
    }
    const headers: Buffer[] = [];
    let length = -1;
    let chunked = false;
    let transferEncoded = false;
    for (let line = 0; line < lines; line++) {
      const lineStart = MARKS[1 + 3 * line]!;
      const colon = MARKS[2 + 3 * line]!;
      const contentEnd = MARKS[3 + 3 * line]!;
      if (colon < 0 || colon === lineStart) throw new ResponseParseError(`a header line without a name: "${data.toString('latin1', lineStart, contentEnd)}"`);
      let valueStart = colon + 1;
      let valueEnd = contentEnd;
      while (valueStart < valueEnd && (data[valueStart] === SPACE || data[valueStart] === TAB)) valueStart++;
      while (valueEnd > valueStart && (data[valueEnd - 1] === SPACE || data[valueEnd - 1] === TAB)) valueEnd--;
      const name = data.subarray(lineStart, colon);
      const value = data.subarray(valueStart, valueEnd);
      headers.push(name, value);
      // Only the framing headers are read here, found by length first (no string per header).
      switch (name.length) {
        case 14:
          if (isName(name, 'content-length')) {
            const parsed = contentLength(value);
            if (length >= 0 && parsed !== length) throw new ResponseParseError('two different Content-Length headers');
            length = parsed;
          }
          break;
        case 17:
          if (isName(name, 'transfer-encoding')) {
            transferEncoded = true;
            chunked = /(?:^|,)\s*chunked\s*$/i.test(value.toString('latin1'));
          }
          break;
        case 10:
          if (isName(name, 'connection')) {
            // The two values servers send, compared as bytes; a list of tokens the slow way.
            if (value.length === 10 && isName(value, 'keep-alive')) this.#keepAlive = true;
            else if (value.length === 5 && isName(value, 'close')) this.#keepAlive = false;
            else {
              const tokens = value.toString('latin1').toLowerCase();
              if (/(?:^|,)\s*close\s*(?:,|$)/.test(tokens)) this.#keepAlive = false;
              else if (/(?:^|,)\s*keep-alive\s*(?:,|$)/.test(tokens)) this.#keepAlive = true;
            }
          } else if (isName(name, 'keep-alive')) {
            const timeout = /timeout\s*=\s*(\d+)/i.exec(value.toString('latin1'));
            if (timeout) this.keepAliveHintSeconds = Number(timeout[1]);
          }
          break;
      }
    }
    this.#events.onHead(status, headers);
    if (this.#noBody || status === 204 || status === 304) {
      this.#end(rest.length === 0);
    } else if (transferEncoded) {
      // With both, Transfer-Encoding wins and the connection must not be reused (RFC 9112 6.3).
      if (length >= 0) this.#keepAlive = false;
      if (chunked) this.#startChunk();
      else {
        this.#keepAlive = false;
        this.#phase = PHASE.untilClose;
      }
    } else if (length === 0) {
      this.#end(rest.length === 0);
    } else if (length > 0) {
      this.#phase = PHASE.length;
      this.#remaining = length;
    } else {
      this.#keepAlive = false;
      this.#phase = PHASE.untilClose;
    }
    return rest;
  }

  /** The status code; also reads the version (HTTP/1.0 closes unless it said keep-alive). */
  #statusLine(data: Buffer): number {
    // "HTTP/1.x SSS": 12 bytes at least.
    // "HTTP/1." as bytes.
    const prefix = data.length >= 12 && data[0] === 72 && data[1] === 84 && data[2] === 84 && data[3] === 80 && data[4] === 47 && data[5] === 49 && data[6] === 46;
    if (!prefix || data[8] !== SPACE) {
      throw new ResponseParseError(`the status line "${data.toString('latin1', 0, Math.min(40, data.indexOf(CR) >= 0 ? data.indexOf(CR) : 40))}"`);
    }
    const d0 = data[9]! - 48;
    const d1 = data[10]! - 48;
    const d2 = data[11]! - 48;
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) throw new ResponseParseError(`the status code "${data.toString('latin1', 9, 12)}"`);
    if (data[7] === 48) this.#keepAlive = false;
    return d0 * 100 + d1 * 10 + d2;
  }

  #startChunk(): void {
    this.#phase = PHASE.chunkSize;
    this.#remaining = 0;
    this.#sizeDigits = 0;
    this.#sizeDone = false;
    this.#seenCr = false;
  }

  /** Chunked body: size lines, data, CRLFs, the last chunk, trailers. Returns the bytes left. */
  #chunked(chunk: Buffer): Buffer {
    let i = 0;
    while (i < chunk.length) {
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
          const take = Math.min(this.#remaining, chunk.length - i);
          this.#body(chunk.subarray(i, i + take));
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
              this.#end(i === chunk.length);
              return chunk.subarray(i);
            }
            this.#lineEmpty = true;
          } else if (byte !== CR) {
            this.#lineEmpty = false;
          }
          break;
        }
        default:
          return chunk.subarray(i);
      }
    }
    return chunk.subarray(chunk.length);
  }

  #body(piece: Buffer): void {
    this.#events.onBody(this.#transient ? Buffer.from(piece) : piece);
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
 * Finds the end of the head (an empty line) in one pass, noting each header line in MARKS.
 * Returns the number of header lines, or -1 when the head is not complete yet. Lines may end in
 * CR LF or a bare LF.
 */
function scanHead(data: Buffer): number {
  const length = data.length;
  let i = 0;
  while (i < length && data[i] !== LF) i++;
  let lineStart = i + 1;
  let colon = -1;
  let lines = 0;
  for (i = lineStart; i < length; i++) {
    const byte = data[i]!;
    if (byte === COLON) {
      if (colon < 0) colon = i;
    } else if (byte === LF) {
      const contentEnd = i > lineStart && data[i - 1] === CR ? i - 1 : i;
      if (contentEnd === lineStart) {
        MARKS[0] = i + 1;
        return lines;
      }
      if (3 * lines + 4 > MARKS.length) {
        const grown = new Int32Array(MARKS.length * 2);
        grown.set(MARKS);
        MARKS = grown;
      }
      MARKS[1 + 3 * lines] = lineStart;
      MARKS[2 + 3 * lines] = colon;
      MARKS[3 + 3 * lines] = contentEnd;
      lines++;
      lineStart = i + 1;
      colon = -1;
    }
  }
  return -1;
}

/** Whether `name` is `lowerCase`, ignoring ASCII case (header names are tokens). */
function isName(name: Buffer, lowerCase: string): boolean {
  for (let i = 0; i < lowerCase.length; i++) {
    const byte = name[i]!;
    if ((byte >= 65 && byte <= 90 ? byte | 0x20 : byte) !== lowerCase.charCodeAt(i)) return false;
  }
  return true;
}

function contentLength(value: Buffer): number {
  if (value.length === 0 || value.length > 15) throw new ResponseParseError(`Content-Length "${value.toString('latin1')}"`);
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    const digit = value[i]! - 48;
    if (digit < 0 || digit > 9) throw new ResponseParseError(`Content-Length "${value.toString('latin1')}"`);
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
