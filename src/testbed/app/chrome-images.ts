// The layout images Olio's pages load (corners, header backgrounds, editor buttons) are GIFs and
// PNGs; the site serves real ones of each kind, one colour, padded with a comment to the size a
// designer's file would have, so that the bytes on the wire and the type both look like Olio's.
import { crc32, deflateSync } from 'node:zlib';

export interface FlatImage {
  width: number;
  height: number;
  colour: readonly [number, number, number];
  /** Pad the file with a comment up to this many bytes. */
  padToBytes: number;
  comment: string;
}

/**
 * A GIF89a whose screen is `width` x `height` in the colour (its background) with one pixel of
 * image data: a decoder paints the whole screen without us writing an LZW encoder.
 */
export function encodeGif(image: FlatImage): Buffer {
  const screen = Buffer.alloc(13);
  screen.write('GIF89a', 0, 'latin1');
  screen.writeUInt16LE(image.width, 6);
  screen.writeUInt16LE(image.height, 8);
  screen[10] = 0x80; // a global colour table of 2 entries
  const palette = Buffer.from([...image.colour, 0, 0, 0]);
  // Image descriptor: one pixel at the origin, then LZW data (minimum code size 2) for index 0.
  const pixel = Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00]);
  const trailer = Buffer.from([0x3b]);
  const fixed = screen.length + palette.length + pixel.length + trailer.length;
  return Buffer.concat([screen, palette, gifComment(image.comment, image.padToBytes - fixed), pixel, trailer]);
}

/** A comment extension of about `bytes` bytes (at least the comment itself): sub-blocks of at most 255. */
function gifComment(comment: string, bytes: number): Buffer {
  const text = Buffer.from(comment.padEnd(Math.max(comment.length, bytes - 3 - Math.ceil(bytes / 256)), '.'), 'latin1');
  const blocks: Buffer[] = [Buffer.from([0x21, 0xfe])];
  for (let at = 0; at < text.length; at += 255) {
    const block = text.subarray(at, at + 255);
    blocks.push(Buffer.from([block.length]), block);
  }
  blocks.push(Buffer.from([0]));
  return Buffer.concat(blocks);
}

/** A truecolour PNG filled with the colour, padded with a tEXt comment. */
export function encodePng(image: FlatImage): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(image.width, 0);
  header.writeUInt32BE(image.height, 4);
  header[8] = 8; // bits per sample
  header[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: image.width }, () => image.colour).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: image.height }, () => row)));
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const parts = [signature, chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))];
  const used = parts.reduce((sum, part) => sum + part.length, 0);
  const keyword = 'Comment\0';
  const padding = Math.max(image.comment.length, image.padToBytes - used - 12 - keyword.length);
  const text = chunk('tEXt', Buffer.from(keyword + image.comment.padEnd(padding, '.'), 'latin1'));
  return Buffer.concat([parts[0], parts[1], text, parts[2], parts[3]] as Buffer[]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}
