// The header view the parser hands on: names compared without case and without making strings,
// repeated headers all kept, and a copy that outlives the read buffer it was made from.
import { describe, expect, it } from 'vitest';
import { ResponseHeaders } from './response-headers.ts';

/** A view of `lines` ("Name: value") laid out in a buffer as a head would be, after `prefix` bytes. */
function viewOf(lines: [string, string][], prefix = 7): { headers: ResponseHeaders; bytes: Buffer } {
  const bytes = Buffer.alloc(prefix + lines.reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0), 'X');
  const headers = new ResponseHeaders(1);
  headers.reset(bytes);
  let at = prefix;
  for (const [name, value] of lines) {
    bytes.write(`${name}: ${value}\r\n`, at, 'latin1');
    headers.add(at, at + name.length, at + name.length + 2, at + name.length + 2 + value.length);
    at += name.length + value.length + 4;
  }
  return { headers, bytes };
}

describe('Given the headers of one response', () => {
  const lines: [string, string][] = [
    ['Set-Cookie', 'a=1'],
    ['Content-Type', 'text/html'],
    ['SET-COOKIE', 'b=2'],
    ['X-Empty', ''],
  ];

  it('Then values are found by name whatever its case, every repeat in order', () => {
    const { headers } = viewOf(lines);
    expect(headers.length).toBe(4);
    expect(headers.values('set-cookie')).toEqual(['a=1', 'b=2']);
    expect(headers.values('x-empty')).toEqual(['']);
    expect(headers.values('content-length')).toEqual([]);
    expect(headers.is(1, 'content-type')).toBe(true);
    expect(headers.is(1, 'content-typ')).toBe(false);
  });

  it('Then a copy keeps names and values once the bytes it was read from are overwritten', () => {
    const { headers, bytes } = viewOf(lines);
    const kept = headers.copy();
    bytes.fill('Z');
    expect(kept.entries()).toEqual(lines);
    expect(kept.values('set-cookie')).toEqual(['a=1', 'b=2']);
  });

  it('Then a head without headers copies to an empty view', () => {
    const { headers } = viewOf([]);
    expect(headers.copy().entries()).toEqual([]);
  });

  it('Then the view grows past the capacity it started with', () => {
    const many = Array.from({ length: 40 }, (_, i): [string, string] => [`X-${i}`, `v${i}`]);
    expect(viewOf(many).headers.entries()).toEqual(many);
  });
});
