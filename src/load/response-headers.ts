// A response's header lines as the parser found them: the head's bytes and, per header, where its
// name and value lie in them. No Buffer or string is made per header: most responses' headers are
// never read (the driver looks only for Set-Cookie, and a profile's header captures), so a name
// becomes a string only when it is asked for.
//
// The view the parser hands to onHead points into the connection's read buffer, which the next read
// overwrites: it is valid during that call only. Whoever keeps the headers keeps copy().

/** Offsets per header: name start, name end, value start, value end. */
const FIELDS = 4;
const EMPTY = Buffer.alloc(0);

export class ResponseHeaders {
  #bytes: Buffer = EMPTY;
  #offsets: Int32Array;
  #count = 0;

  constructor(capacity = 16) {
    this.#offsets = new Int32Array(FIELDS * capacity);
  }

  /** How many header lines (a repeated name counts each time). */
  get length(): number {
    return this.#count;
  }

  /** The parser: a new head in `bytes`, no headers yet. */
  reset(bytes: Buffer): void {
    this.#bytes = bytes;
    this.#count = 0;
  }

  /** The parser: one header line, its name at [nameStart, nameEnd), its value at [valueStart, valueEnd). */
  add(nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): void {
    let offsets = this.#offsets;
    const at = FIELDS * this.#count;
    if (at + FIELDS > offsets.length) {
      offsets = new Int32Array(offsets.length * 2);
      offsets.set(this.#offsets);
      this.#offsets = offsets;
    }
    offsets[at] = nameStart;
    offsets[at + 1] = nameEnd;
    offsets[at + 2] = valueStart;
    offsets[at + 3] = valueEnd;
    this.#count += 1;
  }

  /** The name of header `i` as received (case kept). */
  name(i: number): string {
    return this.#bytes.toString('latin1', this.#offsets[FIELDS * i], this.#offsets[FIELDS * i + 1]);
  }

  /** The value of header `i`, whitespace around it trimmed. */
  value(i: number): string {
    return this.#bytes.toString('latin1', this.#offsets[FIELDS * i + 2], this.#offsets[FIELDS * i + 3]);
  }

  /** Whether header `i` is named `lowerCaseName`, ignoring ASCII case, compared as bytes. */
  is(i: number, lowerCaseName: string): boolean {
    const start = this.#offsets[FIELDS * i]!;
    if (this.#offsets[FIELDS * i + 1]! - start !== lowerCaseName.length) return false;
    return bytesAre(this.#bytes, start, lowerCaseName);
  }

  /** The values of a header (name compared case-insensitively), in order. */
  values(lowerCaseName: string): string[] {
    const values: string[] = [];
    for (let i = 0; i < this.#count; i++) if (this.is(i, lowerCaseName)) values.push(this.value(i));
    return values;
  }

  /** The same headers in bytes of their own, valid after the read buffer moves on. */
  copy(): ResponseHeaders {
    const kept = new ResponseHeaders(Math.max(1, this.#count));
    if (this.#count === 0) return kept;
    const from = this.#offsets[0]!;
    const to = this.#offsets[FIELDS * this.#count - 1]!;
    kept.reset(Buffer.from(this.#bytes.subarray(from, to)));
    for (let i = 0; i < FIELDS * this.#count; i += FIELDS) {
      const o = this.#offsets;
      kept.add(o[i]! - from, o[i + 1]! - from, o[i + 2]! - from, o[i + 3]! - from);
    }
    return kept;
  }

  /** [name, value] pairs, for a person or a test. */
  entries(): [string, string][] {
    const entries: [string, string][] = [];
    for (let i = 0; i < this.#count; i++) entries.push([this.name(i), this.value(i)]);
    return entries;
  }
}

/**
 * Whether the bytes at `start` spell `lowerCase`, ignoring ASCII case (header names and the
 * connection tokens compared here are ASCII: | 0x20 folds letters).
 */
export function bytesAre(bytes: Buffer, start: number, lowerCase: string): boolean {
  for (let i = 0; i < lowerCase.length; i++) {
    const byte = bytes[start + i]!;
    if ((byte >= 65 && byte <= 90 ? byte | 0x20 : byte) !== lowerCase.charCodeAt(i)) return false;
  }
  return true;
}
