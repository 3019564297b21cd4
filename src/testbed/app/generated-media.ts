// Pictures and literature for the seeded people and events, generated rather than stored: a
// seeded site would otherwise carry megabytes of blobs for every start. Like Olio's sample data,
// pictures come from a small set of variants (per kind), chosen from the seed and the owner so the
// same site always shows the same picture; each variant is encoded once per process.
import { encodeJpeg, type Rgb } from './jpeg.ts';
import { writePdf } from './pdf.ts';
import { hashString, SeededRandom } from './seeded-random.ts';
import type { EventRecord } from './social-store.ts';
import { wrap } from './site-text.ts';

const VARIANTS = 64;

interface PictureKind {
  width: number;
  height: number;
  minBytes: number;
  maxBytes: number;
}

const KINDS = {
  event: { width: 400, height: 300, minBytes: 14_000, maxBytes: 42_000 },
  person: { width: 192, height: 192, minBytes: 5_000, maxBytes: 16_000 },
} as const satisfies Record<string, PictureKind>;

export type PictureOwner = keyof typeof KINDS;

const pictures = new Map<string, Buffer>();

/** The generated JPEG for a seeded event or person (the owner key is its id or username). */
export function generatedPicture(kind: PictureOwner, seed: number, owner: string): Buffer {
  const variant = hashString(`${seed}:${kind}:${owner}`) % VARIANTS;
  const key = `${kind}:${variant}`;
  let picture = pictures.get(key);
  if (!picture) {
    picture = paintMosaic(KINDS[kind], new SeededRandom(hashString(key)), key);
    pictures.set(key, picture);
  }
  return picture;
}

function paintMosaic(kind: PictureKind, random: SeededRandom, key: string): Buffer {
  const tile = random.int(2, 6); // blocks per tile side
  const palette: Rgb[] = [];
  for (let i = 0; i < 5; i++) palette.push([random.int(0, 255), random.int(0, 255), random.int(0, 255)]);
  const tiles = new Map<string, Rgb>();
  return encodeJpeg({
    width: kind.width,
    height: kind.height,
    blockColour: (bx, by) => {
      const at = `${Math.floor(bx / tile)},${Math.floor(by / tile)}`;
      let colour = tiles.get(at);
      if (!colour) {
        colour = random.pick(palette);
        tiles.set(at, colour);
      }
      const shade = ((bx % tile) + (by % tile)) * 6;
      return [colour[0] - shade, colour[1] - shade, colour[2] - shade];
    },
    padToBytes: random.int(kind.minBytes, kind.maxBytes),
    comment: `Migrascope reference application picture ${key}`,
  });
}

/** The literature PDF of a seeded event (or of an added one posted without a document). */
export function generatedLiterature(event: EventRecord): Buffer {
  const when = new Date(event.startsAt).toISOString().slice(0, 16).replace('T', ' ');
  const lines = [
    `When: ${when} (${event.timezone})`,
    `Where: ${event.street1}, ${event.city}, ${event.state} ${event.zip}, ${event.country}`,
    `Contact: ${event.telephone}`,
    '',
    ...wrap(event.summary, 90),
    '',
    ...wrap(event.description, 90),
    '',
    'Programme',
  ];
  // A programme long enough for a realistic brochure of a few pages.
  for (let slot = 0; slot < 120; slot++) {
    const minutes = 9 * 60 + slot * 5;
    const time = `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    lines.push(`${time}  ${event.title}, part ${slot + 1}: ${wrap(event.description, 60)[slot % 3] ?? ''}`);
  }
  return writePdf(event.title, lines);
}
