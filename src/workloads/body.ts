// Request bodies: url-encoded forms, JSON and multipart uploads, rendered from templates per
// request. Uploaded files are made once at compile time (and their multipart framing encoded
// once), so an upload costs a Buffer.concat, not a file read.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../invalid/index.ts';
import { parseBytes } from '../quantity/index.ts';
import { compileTemplate, type Template, type TemplateNames, type TemplateScope } from './template.ts';
import type { FileDocument, RequestDocument } from './profile-schema.ts';

export interface RenderedBody {
  contentType: string | undefined;
  payload: string | Buffer;
}

export interface BodyTemplate {
  render(scope: TemplateScope): RenderedBody;
  /** The variables its templates read. */
  readonly variables: readonly string[];
}

/** The body of a request document, or undefined when it has none; `field` is the request's path. */
export function compileBody(request: RequestDocument, field: string, names: TemplateNames): BodyTemplate | undefined {
  const kinds = (['form', 'json', 'multipart', 'body'] as const).filter((kind) => request[kind] !== undefined);
  if (kinds.length > 1) throw new InvalidInputError(field, `a request has one body; found ${kinds.join(' and ')}`);
  if (request.form) return formBody(request.form, `${field}.form`, names);
  if (request.json !== undefined) return jsonBody(request.json, `${field}.json`, names);
  if (request.multipart) return multipartBody(request.multipart.fields, request.multipart.files, `${field}.multipart`, names);
  if (request.body !== undefined) {
    const text = compileTemplate(request.body, `${field}.body`, names);
    return { variables: text.variables, render: (scope) => ({ contentType: undefined, payload: text.render(scope) }) };
  }
  return undefined;
}

function compileFields(fields: Record<string, string>, field: string, names: TemplateNames): [string, Template][] {
  return Object.entries(fields).map(([name, value]) => [name, compileTemplate(value, `${field}.${name}`, names)]);
}

/** Browsers encode spaces in forms as `+`. */
function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+');
}

function formBody(fields: Record<string, string>, field: string, names: TemplateNames): BodyTemplate {
  const compiled = compileFields(fields, field, names).map(([name, value]) => [formEncode(name), value] as const);
  return {
    variables: compiled.flatMap(([, value]) => value.variables),
    render(scope) {
      let payload = '';
      for (const [name, value] of compiled) payload += `${payload ? '&' : ''}${name}=${formEncode(value.render(scope))}`;
      return { contentType: 'application/x-www-form-urlencoded', payload };
    },
  };
}

type JsonTemplate = (scope: TemplateScope) => unknown;

function jsonBody(value: unknown, field: string, names: TemplateNames): BodyTemplate {
  const variables: string[] = [];
  const compile = (node: unknown, at: string): JsonTemplate => {
    if (typeof node === 'string') {
      const template = compileTemplate(node, at, names);
      variables.push(...template.variables);
      return (scope) => template.render(scope);
    }
    if (Array.isArray(node)) {
      const items = node.map((item, i) => compile(item, `${at}[${i}]`));
      return (scope) => items.map((item) => item(scope));
    }
    if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node).map(([key, item]) => [key, compile(item, `${at}.${key}`)] as const);
      return (scope) => Object.fromEntries(entries.map(([key, item]) => [key, item(scope)]));
    }
    return () => node;
  };
  const root = compile(value, field);
  return { variables, render: (scope) => ({ contentType: 'application/json', payload: JSON.stringify(root(scope)) }) };
}

function multipartBody(fields: Record<string, string>, files: readonly FileDocument[], field: string, names: TemplateNames): BodyTemplate {
  // A fixed boundary per request template: generated text fields never contain it (30 random
  // hex digits), and a fixed one lets the file parts be framed once.
  const boundary = `----migrascope${randomBytes(15).toString('hex')}`;
  const compiled = compileFields(fields, `${field}.fields`, names).map(
    ([name, value]) => [`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`, value] as const,
  );
  const fileParts = files.map((file, i) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\n` +
          `Content-Type: ${file.contentType}\r\n\r\n`,
      ),
      fileContent(file, `${field}.files[${i}]`),
      Buffer.from('\r\n'),
    ]),
  );
  const tail = Buffer.from(`--${boundary}--\r\n`);
  const contentType = `multipart/form-data; boundary=${boundary}`;
  return {
    variables: compiled.flatMap(([, value]) => value.variables),
    render(scope) {
      let text = '';
      for (const [head, value] of compiled) text += `${head}${value.render(scope)}\r\n`;
      return { contentType, payload: Buffer.concat([Buffer.from(text), ...fileParts, tail]) };
    },
  };
}

/** A file's bytes: read from `path`, or made up to `size` with the right magic for its type. */
export function fileContent(file: FileDocument, field: string): Buffer {
  if (file.path !== undefined) {
    try {
      return readFileSync(file.path);
    } catch (error) {
      throw new InvalidInputError(`${field}.path`, `cannot read ${file.path}: ${(error as Error).message}`);
    }
  }
  const bytes = Math.round(parseBytes(`${field}.size`, file.size ?? '16KiB'));
  return synthesize(contentKind(file), bytes);
}

/**
 * What to make up: the declared type says it, or, for a file declared only as bytes
 * (application/octet-stream, as Faban's driver posts Olio's uploads), the file name's extension.
 */
function contentKind(file: FileDocument): string {
  if (file.contentType !== 'application/octet-stream') return file.contentType;
  if (/\.jpe?g$/i.test(file.filename)) return 'image/jpeg';
  if (/\.pdf$/i.test(file.filename)) return 'application/pdf';
  return file.contentType;
}

/**
 * Content that passes a server's sniffing of the type: a JPEG's SOI/APP0/EOI markers, a PDF's
 * header and trailer, random bytes in between. Servers under test store uploads; they rarely
 * decode them, and a real decoder is not what the study measured.
 */
function synthesize(kind: string, bytes: number): Buffer {
  if (kind === 'image/jpeg') {
    const head = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
    const tail = Buffer.from([0xff, 0xd9]);
    return Buffer.concat([head, filler(bytes - head.length - tail.length), tail]);
  }
  if (kind === 'application/pdf') {
    const head = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1');
    const tail = Buffer.from('\n%%EOF\n');
    return Buffer.concat([head, filler(bytes - head.length - tail.length), tail]);
  }
  return filler(bytes);
}

/** Incompressible bytes (so compression on the path does not shrink the upload), never 0xff. */
function filler(bytes: number): Buffer {
  const buffer = randomBytes(Math.max(0, bytes));
  for (let i = 0; i < buffer.length; i += 1) if (buffer[i] === 0xff) buffer[i] = 0xfe;
  return buffer;
}
