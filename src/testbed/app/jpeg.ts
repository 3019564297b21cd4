// A tiny baseline JPEG encoder for the site's generated pictures: every 8x8 block is one flat
// colour (DC coefficients only), which is all a mosaic needs and keeps encoding cheap. The files
// are real JPEGs (browsers and decoders show them); a comment segment pads them to a realistic
// size, since the load on the network, not the picture, is what the testbed is for.

export type Rgb = readonly [number, number, number];

export interface JpegPicture {
  width: number;
  height: number;
  /** The colour of the 8x8 block at block column `bx`, block row `by`. */
  blockColour: (bx: number, by: number) => Rgb;
  /** Pad the file with a comment segment up to about this many bytes. */
  padToBytes?: number;
  comment?: string;
}

export function encodeJpeg(picture: JpegPicture): Buffer {
  const { width, height } = picture;
  if (!(width > 0 && height > 0 && width <= 65535 && height <= 65535)) {
    throw new RangeError(`encodeJpeg: width and height must be 1..65535, got ${width}x${height}`);
  }
  const tables = Buffer.concat([DQT, startOfFrame(width, height), DHT, SOS]);
  const scan = encodeScan(picture);
  const fixed = SOI.length + JFIF.length + tables.length + scan.length + EOI.length;
  const comments = commentSegments(picture.comment ?? '', (picture.padToBytes ?? 0) - fixed);
  return Buffer.concat([SOI, JFIF, comments, tables, scan, EOI]);
}

const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);
const JFIF = Buffer.from([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
// One quantisation table of ones: a flat block's DC coefficient is then stored as computed.
const DQT = Buffer.from([0xff, 0xdb, 0, 67, 0x00, ...new Array<number>(64).fill(1)]);
// DC table: categories 0..11, each a 4-bit code equal to the category (canonical order).
// AC table: a single 1-bit code "0" for end-of-block, the only AC symbol a flat block needs.
const DHT = Buffer.from([
  0xff, 0xc4, 0, 49,
  0x00, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
  0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,
]);
// Three components (Y, Cb, Cr), no subsampling, all on tables 0.
const SOS = Buffer.from([0xff, 0xda, 0, 12, 3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]);

function startOfFrame(width: number, height: number): Buffer {
  return Buffer.from([
    0xff, 0xc0, 0, 17, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3,
    1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0,
  ]);
}

function encodeScan(picture: JpegPicture): Buffer {
  const bits = new BitWriter();
  const predictors = [0, 0, 0];
  const columns = Math.ceil(picture.width / 8);
  const rows = Math.ceil(picture.height / 8);
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < columns; bx++) {
      const [r, g, b] = picture.blockColour(bx, by);
      const ycc = [
        0.299 * r + 0.587 * g + 0.114 * b,
        128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
        128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
      ];
      for (let c = 0; c < 3; c++) {
        // A flat block of level v has DC = 8 * (v - 128) after the level shift.
        const dc = 8 * (clampByte(ycc[c] ?? 0) - 128);
        const diff = dc - (predictors[c] ?? 0);
        predictors[c] = dc;
        const category = diff === 0 ? 0 : 32 - Math.clz32(Math.abs(diff));
        bits.write(category, 4);
        if (category > 0) bits.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
        bits.write(0, 1); // end of block
      }
    }
  }
  return bits.finish();
}

function clampByte(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}

function commentSegments(comment: string, padding: number): Buffer {
  const text = Buffer.from(comment, 'latin1');
  const wanted = Math.max(padding, text.length > 0 ? text.length + 4 : 0);
  const segments: Buffer[] = [];
  let left = wanted;
  let line = 0;
  while (left > 4) {
    const size = Math.min(left - 4, 65533);
    const body = Buffer.alloc(size);
    // Readable filler, so that a person looking at the bytes sees what they are.
    const filler = Buffer.from(`${comment} padding line ${line++}\n`, 'latin1');
    for (let i = 0; i < size; i += filler.length) filler.copy(body, i, 0, Math.min(filler.length, size - i));
    segments.push(Buffer.from([0xff, 0xfe, (size + 2) >> 8, (size + 2) & 0xff]), body);
    left -= size + 4;
  }
  return Buffer.concat(segments);
}

class BitWriter {
  private readonly bytes: number[] = [];
  private accumulator = 0;
  private count = 0;

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.accumulator = (this.accumulator << 1) | ((value >> i) & 1);
      if (++this.count === 8) this.flushByte();
    }
  }

  finish(): Buffer {
    // Pad the last byte with one bits, as the standard asks.
    while (this.count !== 0) this.write(1, 1);
    return Buffer.from(this.bytes);
  }

  private flushByte(): void {
    this.bytes.push(this.accumulator);
    if (this.accumulator === 0xff) this.bytes.push(0x00); // byte stuffing
    this.accumulator = 0;
    this.count = 0;
  }
}
