// The response parser on hand-written byte sequences: every framing RFC 9112 allows, each fed
// whole and split at every byte (a socket may cut a response anywhere), and the answers it must
// refuse.
import { describe, expect, it } from 'vitest';
import { MAX_HEAD_BYTES, ResponseParseError, ResponseParser, type ResponseEvents } from './http1-response-parser.ts';
import type { ResponseHeaders } from './response-headers.ts';

interface Heard {
  status: number | undefined;
  headers: [string, string][];
  body: string;
  ends: boolean[];
}

function listener(): { events: ResponseEvents; heard: Heard } {
  const heard: Heard = { status: undefined, headers: [], body: '', ends: [] };
  const events: ResponseEvents = {
    onHead(status, headers) {
      heard.status = status;
      heard.headers.push(...headers.entries());
    },
    onBody(bytes, start, end) {
      heard.body += bytes.toString('latin1', start, end);
    },
    onEnd(keepAlive) {
      heard.ends.push(keepAlive);
    },
  };
  return { events, heard };
}

/** Parses `wire` fed in pieces of `split` bytes (whole when 0). */
function parse(wire: string, method = 'GET', split = 0): { heard: Heard; parser: ResponseParser } {
  const { events, heard } = listener();
  const parser = new ResponseParser(events);
  parser.expect(method);
  const bytes = Buffer.from(wire, 'latin1');
  if (split === 0) parser.feed(bytes);
  else for (let i = 0; i < bytes.length; i += split) parser.feed(bytes.subarray(i, i + split));
  return { heard, parser };
}

/** The same response fed whole, byte by byte, and cut at every position into two reads. */
function everySplit(wire: string, method = 'GET'): Heard[] {
  const results = [parse(wire, method).heard, parse(wire, method, 1).heard];
  const bytes = Buffer.from(wire, 'latin1');
  for (let cut = 1; cut < bytes.length; cut++) {
    const { events, heard } = listener();
    const parser = new ResponseParser(events);
    parser.expect(method);
    parser.feed(bytes.subarray(0, cut));
    parser.feed(bytes.subarray(cut));
    results.push(heard);
  }
  return results;
}

describe('Given a response with a Content-Length', () => {
  const wire = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nX-Spaced:   padded value \t\r\n\r\nhello world';

  it('Then the status, the raw headers (case kept, whitespace around values trimmed) and the body come out, and the connection is kept', () => {
    for (const heard of everySplit(wire)) {
      expect(heard).toEqual({
        status: 200,
        headers: [
          ['Content-Type', 'text/plain'],
          ['Content-Length', '11'],
          ['X-Spaced', 'padded value'],
        ],
        body: 'hello world',
        ends: [true],
      });
    }
  });

  it('Then the parser takes the next response once the connection is asked again', () => {
    const { events, heard } = listener();
    const parser = new ResponseParser(events);
    for (const body of ['one', 'three']) {
      parser.expect('GET');
      parser.feed(Buffer.from(`HTTP/1.1 201 Created\r\ncontent-length: ${body.length}\r\n\r\n${body}`, 'latin1'));
    }
    expect(heard.body).toBe('onethree');
    expect(heard.ends).toEqual([true, true]);
  });

  it('Then a length of 0 ends the response at the head', () => {
    expect(parse('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n').heard.ends).toEqual([true]);
  });
});

describe('Given a chunked response with chunk extensions and trailers', () => {
  const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n';

  it('Then the body is the chunks joined, whatever the reads, and the connection is kept', () => {
    for (const heard of everySplit(wire)) {
      expect(heard.body).toBe('hello 0123456789');
      expect(heard.ends).toEqual([true]);
    }
  });

  it('Then chunk sizes in upper or lower case hex both read', () => {
    expect(parse('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\na\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n').heard.body).toBe('01234567890123456789');
  });

  it('Then a chunk longer than its size is refused', () => {
    expect(() => parse('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n')).toThrow(ResponseParseError);
  });

  it('Then a size that is not hex is refused', () => {
    expect(() => parse('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n')).toThrow(/chunk size/);
  });
});

describe('Given reads into one shared buffer that the next read overwrites', () => {
  it('Then the headers copied and the body pieces copied by the listener are intact after every split', () => {
    const wire = Buffer.from('HTTP/1.1 200 OK\r\nSet-Cookie: sid=abc\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n', 'latin1');
    for (let cut = 1; cut < wire.length; cut++) {
      const kept: ResponseHeaders[] = [];
      const pieces: Buffer[] = [];
      const parser = new ResponseParser({
        onHead: (_, headers) => kept.push(headers.copy()),
        onBody: (bytes, start, end) => pieces.push(Buffer.from(bytes.subarray(start, end))),
        onEnd: () => undefined,
      });
      parser.expect('GET');
      const shared = Buffer.alloc(wire.length);
      for (const [from, to] of [
        [0, cut],
        [cut, wire.length],
      ] as const) {
        wire.copy(shared, 0, from, to);
        parser.feed(shared, 0, to - from);
        shared.fill('X');
      }
      expect(kept.flatMap((headers) => headers.entries())).toEqual([
        ['Set-Cookie', 'sid=abc'],
        ['Transfer-Encoding', 'chunked'],
      ]);
      expect(kept[0]!.values('set-cookie')).toEqual(['sid=abc']);
      expect(Buffer.concat(pieces).toString('latin1')).toBe('hello world');
    }
  });
});

describe('Given responses without a body', () => {
  it('Then the answer to HEAD has none, whatever its Content-Length says', () => {
    expect(parse('HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n', 'HEAD').heard).toMatchObject({ status: 200, body: '', ends: [true] });
  });

  it.each([204, 304])('Then a %i has none', (status) => {
    expect(parse(`HTTP/1.1 ${status} No Content\r\n\r\n`).heard).toMatchObject({ status, body: '', ends: [true] });
  });

  it('Then interim 100 and 103 responses are skipped and the final one is read', () => {
    for (const heard of everySplit('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')) {
      expect(heard).toMatchObject({ status: 200, headers: [['content-length', '2']], body: 'ok', ends: [true] });
    }
  });
});

describe('Given a response whose body runs until the connection closes', () => {
  it('Then the body is everything until the close, and the connection is not kept', () => {
    const { heard, parser } = parse('HTTP/1.1 200 OK\r\n\r\nall of it');
    expect(heard.ends).toEqual([]);
    expect(parser.closed()).toBe(true);
    expect(heard).toMatchObject({ body: 'all of it', ends: [false] });
  });

  it('Then a Transfer-Encoding other than chunked is read the same way', () => {
    const { heard, parser } = parse('HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\nzipped');
    expect(parser.closed()).toBe(true);
    expect(heard.ends).toEqual([false]);
  });

  it('Then a close in the middle of a Content-Length body is not an end', () => {
    const { heard, parser } = parse('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
    expect(parser.closed()).toBe(false);
    expect(heard.ends).toEqual([]);
    expect(parser.started).toBe(true);
  });
});

describe('Given what the server says about the connection', () => {
  it('Then "Connection: close" means it is not kept', () => {
    expect(parse('HTTP/1.1 200 OK\r\nConnection: Close\r\ncontent-length: 0\r\n\r\n').heard.ends).toEqual([false]);
  });

  it('Then HTTP/1.0 closes unless it says keep-alive', () => {
    expect(parse('HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n').heard.ends).toEqual([false]);
    expect(parse('HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 0\r\n\r\n').heard.ends).toEqual([true]);
  });

  it('Then "Keep-Alive: timeout=5" is read as a hint in seconds', () => {
    expect(parse('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\ncontent-length: 0\r\n\r\n').parser.keepAliveHintSeconds).toBe(5);
  });

  it('Then bytes after a complete response mean the connection is not kept', () => {
    expect(parse('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA').heard).toMatchObject({ body: 'ok', ends: [false] });
  });

  it('Then both Transfer-Encoding and Content-Length: chunked wins and the connection is not kept', () => {
    expect(parse('HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n').heard).toMatchObject({ body: 'ok', ends: [false] });
  });
});

describe('Given answers that are not HTTP/1.1', () => {
  it.each([
    ['a status line of another protocol', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
    ['a status code that is not three digits', 'HTTP/1.1 2x0 OK\r\n\r\n'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n'],
    ['a Content-Length that is not a number', 'HTTP/1.1 200 OK\r\ncontent-length: 12abc\r\n\r\n'],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n'],
    ['a switch of protocols nobody asked for', 'HTTP/1.1 101 Switching Protocols\r\n\r\n'],
  ])('Then %s is refused as EPROTO, naming what is wrong', (_, wire) => {
    let error: unknown;
    try {
      parse(wire);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ResponseParseError);
    expect((error as ResponseParseError).code).toBe('EPROTO');
  });

  it('Then a head that never ends is refused once past the limit', () => {
    const { events } = listener();
    const parser = new ResponseParser(events);
    parser.expect('GET');
    parser.feed(Buffer.from('HTTP/1.1 200 OK\r\n', 'latin1'));
    const filler = Buffer.from(`x-filler: ${'y'.repeat(1000)}\r\n`, 'latin1');
    expect(() => {
      for (let sent = 0; sent <= MAX_HEAD_BYTES; sent += filler.length) parser.feed(filler);
    }).toThrow(/longer than/);
  });

  it('Then bytes that arrive when no response is expected are refused', () => {
    const { events } = listener();
    const parser = new ResponseParser(events);
    expect(() => parser.feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'))).toThrow(/no request asked for/);
  });
});
