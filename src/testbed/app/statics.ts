// The site's static files: the scripts, style sheets and layout images of Olio's PHP pages, at
// Olio's paths (/js/..., /css/..., /images/...; the lists are src/workloads/olio-statics.ts, as
// Faban's driver gives them), generated once per process with fixed content and sizes of our
// choosing. The load profile's browsers fetch them, cache them and revalidate them, as Olio's
// pages made Faban's users do: about 20 on every page, 33 on the two forms (the editor's assets).
import { createHash } from 'node:crypto';
import { OLIO_PAGE_STATICS, OLIO_STATIC_PATHS, type OlioPage } from '../../workloads/olio-statics.ts';
import { encodeGif, encodePng } from './chrome-images.ts';
import { SeededRandom } from './seeded-random.ts';

/** Sizes in bytes of the larger files; the rest are small layout images and editor buttons. */
const SIZES: Readonly<Record<string, number>> = {
  '/js/tiny_mce/tiny_mce.js': 180_000,
  '/js/prototype.js': 124_000,
  '/js/effects.js': 38_000,
  '/js/dragdrop.js': 31_000,
  '/js/controls.js': 34_000,
  '/js/application.js': 1_200,
  '/js/starrating.js': 3_000,
  '/js/validateform.js': 4_500,
  '/js/tiny_mce/themes/simple/editor_template.js': 6_000,
  '/js/tiny_mce/langs/en.js': 4_000,
  '/js/tiny_mce/themes/simple/css/editor_ui.css': 3_500,
  '/css/scaffold.css': 1_500,
  '/css/site.css': 12_000,
  '/images/bg_main.png': 6_000,
  '/images/RSS-icon-large.gif': 2_400,
  '/images/php_bg_header.gif': 4_000,
  '/images/php_reflec_tile.gif': 1_800,
};
const SMALL_IMAGE_BYTES = 600;

/** The paths a page lists (the same the driver loads for it). */
export function pageStatics(page: OlioPage): readonly string[] {
  return OLIO_PAGE_STATICS[page];
}

export interface StaticFile {
  name: string;
  body: Buffer;
  headers: Readonly<Record<string, string>>;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  gif: 'image/gif',
  png: 'image/png',
};
/** Fixed, so that two starts serve byte-identical responses. */
const LAST_MODIFIED = new Date(Date.UTC(2029, 0, 1)).toUTCString();

let catalogue: ReadonlyMap<string, StaticFile> | undefined;

/** The static file at that path, or undefined. Built on first use, shared by every app. */
export function staticFile(path: string): StaticFile | undefined {
  catalogue ??= buildCatalogue();
  return catalogue.get(path);
}

function buildCatalogue(): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const path of OLIO_STATIC_PATHS) {
    const random = new SeededRandom(files.size + 1);
    const extension = path.slice(path.lastIndexOf('.') + 1);
    const bytes = SIZES[path] ?? SMALL_IMAGE_BYTES;
    const body = extension === 'gif' || extension === 'png' ? picture(path, extension, bytes, random) : Buffer.from(text(path, extension, bytes, random), 'utf8');
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    files.set(path, {
      name: path,
      body,
      etag,
      headers: {
        'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
        'content-length': String(body.length),
        'cache-control': 'public, max-age=31536000, immutable',
        etag,
        'last-modified': LAST_MODIFIED,
      },
    });
  }
  return files;
}

function text(path: string, extension: string, bytes: number, random: SeededRandom): string {
  const chunks = [`/* ${path}: generated for the Migrascope reference application */\n`];
  let size = chunks[0]?.length ?? 0;
  for (let n = 1; size < bytes; n++) {
    const chunk = extension === 'css' ? cssRule(n, random) : jsFunction(path, n, random);
    chunks.push(chunk);
    size += chunk.length;
  }
  return chunks.join('');
}
function cssRule(n: number, random: SeededRandom): string {
  const colour = random.int(0, 0xffffff).toString(16).padStart(6, '0');
  return (
    `.olio-block-${n} .item-${random.int(1, 9)} {\n  margin: ${random.int(0, 12)}px ${random.int(0, 16)}px;\n` +
    `  padding: ${random.int(0, 8)}px;\n  color: #${colour};\n  font-size: ${random.int(10, 18)}px;\n}\n`
  );
}

function jsFunction(file: string, n: number, random: SeededRandom): string {
  const prefix = file.replace(/\W+/g, '_');
  return (
    `function ${prefix}_widget${n}(element, options) {\n` +
    `  var count = (options && options.count) || ${random.int(2, 40)};\n` +
    `  for (var i = 0; i < count; i++) {\n` +
    `    element.setAttribute('data-w' + i, String((i * ${random.int(3, 97)}) % ${random.int(5, 61)}));\n` +
    `  }\n  return count;\n}\n`
  );
}

function picture(path: string, extension: string, bytes: number, random: SeededRandom): Buffer {
  const colour = [random.int(40, 215), random.int(40, 215), random.int(40, 215)] as const;
  const image = { width: random.int(8, 64), height: random.int(8, 64), colour, padToBytes: bytes, comment: `Migrascope reference application: ${path}` };
  return extension === 'gif' ? encodeGif(image) : encodePng(image);
}
