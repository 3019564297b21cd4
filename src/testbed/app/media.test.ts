// The generated files are real: a JPEG whose markers and scan decoders accept, a PDF whose
// cross-reference table points at its objects.
import { describe, expect, it } from 'vitest';
import { encodeJpeg } from './jpeg.ts';
import { writePdf } from './pdf.ts';

function segments(jpeg: Buffer): { marker: number; at: number; length: number }[] {
  const found: { marker: number; at: number; length: number }[] = [];
  let at = 2;
  while (at < jpeg.length) {
    expect(jpeg[at], `marker at ${at}`).toBe(0xff);
    const marker = jpeg[at + 1] ?? 0;
    const length = jpeg.readUInt16BE(at + 2);
    found.push({ marker, at, length });
    if (marker === 0xda) break;
    at += 2 + length;
  }
  return found;
}

describe('encodeJpeg', () => {
  const picture = encodeJpeg({ width: 100, height: 60, blockColour: (bx, by) => [bx * 20, by * 30, 200], comment: 'test' });

  it('given a picture, when encoded, then it starts with SOI, ends with EOI and declares its size in SOF0', () => {
    expect(picture.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(picture.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    const frame = segments(picture).find((segment) => segment.marker === 0xc0);
    if (!frame) throw new Error('no SOF0 segment');
    expect(picture.readUInt16BE(frame.at + 5)).toBe(60);
    expect(picture.readUInt16BE(frame.at + 7)).toBe(100);
  });

  it('given a picture, when encoded, then its segments chain to the scan, whose 0xFF bytes are all stuffed', () => {
    const all = segments(picture);
    expect(all.map((segment) => segment.marker)).toEqual([0xe0, 0xfe, 0xdb, 0xc0, 0xc4, 0xda]);
    const scan = all.at(-1);
    if (!scan) throw new Error('no scan');
    const data = picture.subarray(scan.at + 2 + scan.length, -2);
    for (let i = 0; i < data.length; i++) if (data[i] === 0xff) expect(data[i + 1], `byte ${i}`).toBe(0x00);
  });

  it.each([800, 5_000, 70_000, 150_000])('given a target of %i bytes, when padded, then the file has exactly that size', (bytes) => {
    const padded = encodeJpeg({ width: 16, height: 16, blockColour: () => [1, 2, 3], padToBytes: bytes });
    expect(padded.length).toBe(bytes);
  });

  it('given an impossible size, when encoded, then it is refused', () => {
    expect(() => encodeJpeg({ width: 0, height: 10, blockColour: () => [0, 0, 0] })).toThrow(RangeError);
  });
});

describe('writePdf', () => {
  const lines = Array.from({ length: 120 }, (_, i) => `line ${i} (with parentheses) and a back\\slash é`);
  const pdf = writePdf('A title', lines).toString('latin1');

  it('given many lines, when written, then it is a PDF with one page per 48 lines', () => {
    expect(pdf.startsWith('%PDF-1.4\n')).toBe(true);
    expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(pdf).toContain('/Count 3');
  });

  it('given a written PDF, when its xref is read, then every offset points at its object', () => {
    const startxref = Number(/startxref\n(\d+)\n/.exec(pdf)?.[1]);
    expect(pdf.slice(startxref, startxref + 4)).toBe('xref');
    const entries = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((match) => Number(match[1]));
    expect(entries.length).toBe(3 + 2 * 3);
    entries.forEach((offset, i) => expect(pdf.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
  });

  it('given text with parentheses, backslashes and non-ASCII, when written, then strings stay well-formed', () => {
    expect(pdf).toContain('(line 0 \\(with parentheses\\) and a back\\\\slash ?) \'');
  });

  it('given a stream, when written, then its /Length is its exact size', () => {
    const match = /<< \/Length (\d+) >>\nstream\n/.exec(pdf);
    if (!match) throw new Error('no stream');
    const start = match.index + match[0].length;
    expect(pdf.slice(start + Number(match[1]), start + Number(match[1]) + 10)).toBe('\nendstream');
  });
});
