// The response parser against generated traffic: valid responses of every framing (Content-Length,
// chunked with extensions and trailers, until close, no body), each serialized and cut at
// arbitrary points as a socket may cut it, must come out exactly as sent; responses run together
// (pipelined, which the driver never asks for) and garbage must never become a frame: the parser
// reports what it heard of the first response, refuses the rest, or says the answer is not HTTP.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResponseParseError, ResponseParser, type ResponseEvents } from './http1-response-parser.ts';

type Framing = 'length' | 'chunked' | 'close' | 'none';

interface Response {
  status: number;
  headers: [string, string][];
  body: Buffer;
  framing: Framing;
  /** Sizes the body is cut into when chunked. */
  chunks: number[];
  interim: boolean;
  head: boolean;
}

const TOKEN = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/).filter((name) => !/^(content-length|transfer-encoding|connection|keep-alive)$/i.test(name));
// Header values: visible latin1 and inner spaces, no CR/LF, no spaces at either end (the parser trims them).
const VALUE = fc.stringMatching(/^[!-~](?:[ !-~\u00a0-\u00ff]{0,30}[!-~])?$/);

const response: fc.Arbitrary<Response> = fc
  .record({
    framing: fc.constantFrom<Framing>('length', 'chunked', 'close', 'none'),
    status: fc.integer({ min: 200, max: 599 }),
    headers: fc.array(fc.tuple(TOKEN, VALUE), { maxLength: 6 }),
    body: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
    cuts: fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 8 }),
    interim: fc.boolean(),
    head: fc.boolean(),
  })
  .map(({ framing, status, headers, body, cuts, interim, head }) => {
    // No body for HEAD, 204 and 304 whatever the headers say; an until-close body is never a HEAD's.
    const bodiless = framing === 'none' || status === 204 || status === 304 || (head && framing !== 'close');
    const chunks: number[] = [];
    let left = body.length;
    for (const cut of cuts) {
      if (left === 0) break;
      chunks.push(Math.min(cut, left));
      left -= chunks.at(-1)!;
    }
    if (left > 0) chunks.push(left);
    return { status: framing === 'close' && (status === 204 || status === 304) ? 200 : status, headers, body: bodiless ? Buffer.alloc(0) : body, framing, chunks, interim, head: head && framing !== 'close' };
  });

/** The bytes a server sends for `r`. */
function serialize(r: Response): Buffer {
  const lines = [`HTTP/1.1 ${r.status} Whatever`, ...r.headers.map(([name, value]) => `${name}: ${value}`)];
  const parts: Buffer[] = [];
  if (r.interim) parts.push(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1'));
  if (r.framing === 'length') lines.push(`Content-Length: ${r.head ? 1234 : r.body.length}`);
  if (r.framing === 'chunked') lines.push('Transfer-Encoding: chunked');
  if (r.framing === 'close') lines.push('Connection: close');
  if (r.framing === 'none') lines.push('Content-Length: 0');
  parts.push(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
  if (r.framing === 'chunked' && !r.head && r.status !== 204 && r.status !== 304) {
    let at = 0;
    r.chunks.forEach((size, i) => {
      parts.push(Buffer.from(`${size.toString(16)}${i % 2 ? ';ext=1' : ''}\r\n`, 'latin1'), r.body.subarray(at, at + size), Buffer.from('\r\n'));
      at += size;
    });
    parts.push(Buffer.from('0\r\nX-Trailer: t\r\n\r\n', 'latin1'));
  } else if (r.framing !== 'none') parts.push(r.body);
  return Buffer.concat(parts);
}

interface Heard {
  status: number | undefined;
  headers: [string, string][];
  body: Buffer[];
  ends: boolean[];
}

function listening(): { events: ResponseEvents; heard: Heard } {
  const heard: Heard = { status: undefined, headers: [], body: [], ends: [] };
  return {
    heard,
    events: {
      onHead(status, headers) {
        if (heard.status !== undefined) throw new Error('a second head for one response');
        heard.status = status;
        heard.headers.push(...headers.entries());
      },
      onBody: (bytes, start, end) => void heard.body.push(Buffer.from(bytes.subarray(start, end))),
      onEnd: (keepAlive) => void heard.ends.push(keepAlive),
    },
  };
}

/** Cuts `bytes` at the given offsets (any order, duplicates fine). */
function cutAt(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.subarray(from, point));
    from = point;
  }
  return pieces;
}

/** Feeds one response's pieces (on a shared, overwritten read buffer when `transient`). */
function feedPieces(parser: ResponseParser, pieces: readonly Buffer[], transient: boolean): void {
  const shared = Buffer.alloc(4096);
  for (const piece of pieces) {
    if (!transient || piece.length > shared.length) {
      parser.feed(piece);
      continue;
    }
    piece.copy(shared);
    parser.feed(shared, 0, piece.length);
    shared.fill(0xee);
  }
}

const expectedHeaders = (r: Response): [string, string][] => [
  ...r.headers,
  ...(r.framing === 'length' ? [['Content-Length', String(r.head ? 1234 : r.body.length)] as [string, string]] : []),
  ...(r.framing === 'chunked' ? [['Transfer-Encoding', 'chunked'] as [string, string]] : []),
  ...(r.framing === 'close' ? [['Connection', 'close'] as [string, string]] : []),
  ...(r.framing === 'none' ? [['Content-Length', '0'] as [string, string]] : []),
];

describe('Given a keep-alive connection carrying generated responses one after another', () => {
  it('When each is cut at arbitrary points, Then the parser yields exactly the responses sent, each ended once', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(response, fc.array(fc.nat(), { maxLength: 12 }), fc.boolean()), { minLength: 1, maxLength: 4 }), (exchanges) => {
        for (const [sent, offsets, transient] of exchanges) {
          const { events, heard } = listening();
          const connection = new ResponseParser(events);
          connection.expect(sent.head ? 'HEAD' : 'GET');
          feedPieces(connection, cutAt(serialize(sent), offsets), transient);
          if (sent.framing === 'close') expect(connection.closed()).toBe(true);
          expect(heard.status).toBe(sent.status);
          expect(heard.headers).toEqual(expectedHeaders(sent));
          expect(Buffer.concat(heard.body).equals(sent.body)).toBe(true);
          expect(heard.ends).toEqual([sent.framing !== 'close']);
          expect(connection.busy).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('When one parser reads them in turn (expect, then the bytes), Then each is heard in order and the parser is ready for the next', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(response.filter((r) => r.framing !== 'close'), fc.array(fc.nat(), { maxLength: 12 })), { minLength: 2, maxLength: 5 }), (exchanges) => {
        const { events, heard } = listening();
        const statuses: number[] = [];
        const parser = new ResponseParser({ ...events, onHead: (status) => void statuses.push(status) });
        for (const [sent, offsets] of exchanges) {
          parser.expect(sent.head ? 'HEAD' : 'GET');
          feedPieces(parser, cutAt(serialize(sent), offsets), false);
        }
        expect(statuses).toEqual(exchanges.map(([sent]) => sent.status));
        expect(heard.ends).toEqual(exchanges.map(() => true));
      }),
      { numRuns: 200 },
    );
  });
});

describe('Given an empty read (regression: found by the properties below)', () => {
  it('When it comes after a complete response, Then it is nothing, not bytes no request asked for', () => {
    const { events, heard } = listening();
    const parser = new ResponseParser(events);
    parser.expect('GET');
    parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(() => parser.feed(Buffer.alloc(0))).not.toThrow();
    expect(heard.ends).toEqual([true]);
  });
});

describe('Given bytes the driver did not ask for', () => {
  it('When two responses arrive together (pipelined), Then only the first is heard, the connection is not kept, and more bytes are refused', () => {
    fc.assert(
      fc.property(response.filter((r) => r.framing !== 'close'), response, (first, second) => {
        const { events, heard } = listening();
        const parser = new ResponseParser(events);
        parser.expect(first.head ? 'HEAD' : 'GET');
        parser.feed(Buffer.concat([serialize(first), serialize(second)]));
        expect(heard.status).toBe(first.status);
        expect(Buffer.concat(heard.body).equals(first.body)).toBe(true);
        expect(heard.ends).toEqual([false]);
        expect(() => parser.feed(serialize(second))).toThrow(ResponseParseError);
      }),
      { numRuns: 200 },
    );
  });

  it('When the answer is arbitrary bytes, Then the parser refuses it as not HTTP or waits for more, and never invents a head', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 8 }), (garbage, offsets) => {
        const bytes = Buffer.from(garbage);
        const { events, heard } = listening();
        const parser = new ResponseParser(events);
        parser.expect('GET');
        try {
          for (const piece of cutAt(bytes, offsets)) parser.feed(piece);
        } catch (error) {
          expect(error).toBeInstanceOf(ResponseParseError);
        }
        // A head is heard only from bytes that begin as a status line does.
        if (heard.status !== undefined) expect(bytes.subarray(0, 7).toString('latin1')).toBe('HTTP/1.');
        expect(heard.ends.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 1000 },
    );
  });

  it('When a valid head is followed by garbage where the chunks should be, Then it is refused, never read as a body of another size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (garbage) => {
        const { events, heard } = listening();
        const parser = new ResponseParser(events);
        parser.expect('GET');
        const bytes = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), Buffer.from(garbage)]);
        try {
          parser.feed(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ResponseParseError);
          return;
        }
        // Accepted only as far as the bytes are chunked framing: what was heard is a prefix of what was sent.
        const body = Buffer.concat(heard.body);
        expect(bytes.includes(body)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
