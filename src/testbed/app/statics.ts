// The site's static files (style sheets, scripts, decorative images), generated once per process
// with fixed content and realistic sizes: the load profile's browsers fetch them, cache them and
// revalidate them, as Olio's pages made Faban's users do. About 20 on every page, 33 on the forms
// (the rich-text editor's assets).
import { createHash } from 'node:crypto';
import { encodeJpeg } from './jpeg.ts';
import { SeededRandom } from './seeded-random.ts';

interface StaticSpec {
  name: string;
  bytes: number;
  /** Pixel size, for images. */
  width?: number;
  height?: number;
}

const PAGE_STATICS: readonly StaticSpec[] = [
  { name: 'reset.css', bytes: 2_100 },
  { name: 'site.css', bytes: 14_500 },
  { name: 'layout.css', bytes: 6_200 },
  { name: 'calendar.css', bytes: 3_900 },
  { name: 'site-core.js', bytes: 48_000 },
  { name: 'site-effects.js', bytes: 28_000 },
  { name: 'site-controls.js', bytes: 22_000 },
  { name: 'site-dragdrop.js', bytes: 12_000 },
  { name: 'calendar.js', bytes: 9_000 },
  { name: 'application.js', bytes: 3_200 },
  { name: 'logo.jpg', bytes: 9_000, width: 240, height: 64 },
  { name: 'header-bg.jpg', bytes: 18_000, width: 960, height: 96 },
  { name: 'nav-bg.jpg', bytes: 3_000, width: 960, height: 32 },
  { name: 'search.jpg', bytes: 1_500, width: 24, height: 24 },
  { name: 'rss.jpg', bytes: 1_200, width: 16, height: 16 },
  { name: 'star-on.jpg', bytes: 1_000, width: 16, height: 16 },
  { name: 'star-off.jpg', bytes: 1_000, width: 16, height: 16 },
  { name: 'bullet.jpg', bytes: 800, width: 8, height: 8 },
  { name: 'footer-bg.jpg', bytes: 6_000, width: 960, height: 48 },
  { name: 'button-bg.jpg', bytes: 2_000, width: 120, height: 32 },
];

const EDITOR_STATICS: readonly StaticSpec[] = [
  { name: 'form.css', bytes: 4_000 },
  { name: 'editor-theme.css', bytes: 8_000 },
  { name: 'editor-content.css', bytes: 3_000 },
  { name: 'editor.js', bytes: 64_000 },
  { name: 'editor-plugins.js', bytes: 24_000 },
  { name: 'editor-lang-en.js', bytes: 5_000 },
  { name: 'editor-toolbar.jpg', bytes: 7_000, width: 480, height: 32 },
  { name: 'editor-bold.jpg', bytes: 1_000, width: 20, height: 20 },
  { name: 'editor-italic.jpg', bytes: 1_000, width: 20, height: 20 },
  { name: 'editor-underline.jpg', bytes: 1_000, width: 20, height: 20 },
  { name: 'editor-link.jpg', bytes: 1_100, width: 20, height: 20 },
  { name: 'editor-image.jpg', bytes: 1_100, width: 20, height: 20 },
  { name: 'editor-list.jpg', bytes: 1_000, width: 20, height: 20 },
];

/** The statics every page lists (the home page's ~20). */
export const PAGE_STATIC_NAMES: readonly string[] = PAGE_STATICS.map((spec) => spec.name);
/** The statics the AddPerson and AddEvent forms list (~33). */
export const FORM_STATIC_NAMES: readonly string[] = [...PAGE_STATIC_NAMES, ...EDITOR_STATICS.map((spec) => spec.name)];

export interface StaticFile {
  name: string;
  body: Buffer;
  headers: Readonly<Record<string, string>>;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  jpg: 'image/jpeg',
};
/** Fixed, so that two starts serve byte-identical responses. */
const LAST_MODIFIED = new Date(Date.UTC(2029, 0, 1)).toUTCString();

let catalogue: ReadonlyMap<string, StaticFile> | undefined;

/** The static file of that name, or undefined. Built on first use, shared by every app. */
export function staticFile(name: string): StaticFile | undefined {
  catalogue ??= buildCatalogue();
  return catalogue.get(name);
}

function buildCatalogue(): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const spec of [...PAGE_STATICS, ...EDITOR_STATICS]) {
    const random = new SeededRandom(files.size + 1);
    const extension = spec.name.slice(spec.name.lastIndexOf('.') + 1);
    const body = extension === 'jpg' ? picture(spec, random) : Buffer.from(text(extension, spec, random), 'utf8');
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    files.set(spec.name, {
      name: spec.name,
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

function text(extension: string, spec: StaticSpec, random: SeededRandom): string {
  const chunks = [`/* ${spec.name}: generated for the Migrascope reference application */\n`];
  let size = chunks[0]?.length ?? 0;
  for (let n = 1; size < spec.bytes; n++) {
    const chunk = extension === 'css' ? cssRule(n, random) : jsFunction(spec.name, n, random);
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

function picture(spec: StaticSpec, random: SeededRandom): Buffer {
  const base = [random.int(40, 215), random.int(40, 215), random.int(40, 215)] as const;
  return encodeJpeg({
    width: spec.width ?? 16,
    height: spec.height ?? 16,
    blockColour: (bx, by) => [base[0] + ((bx * 3) % 40), base[1] + ((by * 5) % 40), base[2]],
    padToBytes: spec.bytes,
    comment: `Migrascope reference application: ${spec.name}`,
  });
}
