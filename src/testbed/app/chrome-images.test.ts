// The layout images are real GIFs and PNGs: their structure is what a decoder walks.
import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeGif, encodePng } from './chrome-images.ts';

const IMAGE = { width: 30, height: 20, colour: [10, 120, 200] as const, padToBytes: 2_000, comment: 'test' };

describe('encodePng', () => {
  const png = encodePng(IMAGE);

  it('given an image, when encoded, then every chunk has a good CRC, IHDR gives the size and IDAT inflates to its rows', () => {
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const types: string[] = [];
    let idat = Buffer.alloc(0);
    for (let at = 8; at < png.length; ) {
      const length = png.readUInt32BE(at);
      const typed = png.subarray(at + 4, at + 8 + length);
      expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(typed));
      const type = typed.subarray(0, 4).toString('latin1');
      types.push(type);
      if (type === 'IHDR') expect([typed.readUInt32BE(4), typed.readUInt32BE(8)]).toEqual([30, 20]);
      if (type === 'IDAT') idat = Buffer.from(typed.subarray(4));
      at += 12 + length;
    }
    expect(types).toEqual(['IHDR', 'tEXt', 'IDAT', 'IEND']);
    expect(inflateSync(idat).length).toBe(20 * (1 + 3 * 30));
  });

  it('given a size to pad to, when encoded, then the file is that size', () => {
    expect(png.length).toBe(2_000);
  });
});

describe('encodeGif', () => {
  const gif = encodeGif(IMAGE);

  it('given an image, when encoded, then it is a GIF89a of that screen size whose blocks end in the trailer', () => {
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect([gif.readUInt16LE(6), gif.readUInt16LE(8)]).toEqual([30, 20]);
    let at = 13 + 6; // screen descriptor, 2-colour table
    expect(gif.subarray(at, at + 2)).toEqual(Buffer.from([0x21, 0xfe]));
    at += 2;
    while (gif[at] !== 0) at += 1 + (gif[at] ?? 0);
    at += 1;
    expect(gif[at]).toBe(0x2c);
    expect(gif[gif.length - 1]).toBe(0x3b);
  });

  it('given a size to pad to, when encoded, then the file is about that size', () => {
    expect(Math.abs(gif.length - 2_000)).toBeLessThan(16);
  });
});
