// Reads a posted form, url-encoded or multipart (with files), through busboy, within limits.
// Anything malformed or too large becomes an InvalidInputError naming the part at fault, which
// the site answers with 400.
import type { IncomingMessage } from 'node:http';
import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import { InvalidInputError } from '../../invalid/index.ts';

export interface PostedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface PostedForm {
  fields: ReadonlyMap<string, string>;
  files: ReadonlyMap<string, PostedFile>;
}

export const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_FIELD_BYTES = 64 * 1024;

export function readForm(request: IncomingMessage): Promise<PostedForm> {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^(multipart\/form-data|application\/x-www-form-urlencoded)\b/i.test(contentType)) {
    request.resume();
    return Promise.reject(
      new InvalidInputError('content-type', `expected a form (multipart/form-data or url-encoded), got "${contentType}"`),
    );
  }
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    const files = new Map<string, PostedFile>();
    const pendingFiles: Promise<void>[] = [];
    let failure: InvalidInputError | undefined;
    const fail = (error: InvalidInputError) => {
      failure ??= error;
    };

    let parser;
    try {
      parser = new Busboy({
        headers: { ...request.headers, 'content-type': contentType },
        limits: { fieldSize: MAX_FIELD_BYTES, fields: 200, fileSize: MAX_FILE_BYTES, files: 8 },
      });
    } catch (error) {
      request.resume();
      reject(new InvalidInputError('content-type', (error as Error).message));
      return;
    }

    parser.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if (valueTruncated) fail(new InvalidInputError(name, `longer than ${MAX_FIELD_BYTES} bytes`));
      fields.set(name, value);
    });
    parser.on('file', (name, stream, filename, _encoding, mimeType) => {
      pendingFiles.push(
        collect(stream).then((data) => {
          if (stream.truncated) fail(new InvalidInputError(name, `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`));
          // A browser sends an empty part for a file input left empty: that is no file.
          if (filename === '' && data.length === 0) return;
          files.set(name, { filename, contentType: mimeType, data });
        }),
      );
    });
    parser.on('fieldsLimit', () => fail(new InvalidInputError('body', 'too many fields')));
    parser.on('filesLimit', () => fail(new InvalidInputError('body', 'too many files')));
    parser.on('error', (error) => {
      request.resume();
      reject(new InvalidInputError('body', `malformed form: ${(error as Error).message}`));
    });
    parser.on('finish', () => {
      Promise.all(pendingFiles).then(
        () => (failure ? reject(failure) : resolve({ fields, files })),
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
    request.on('error', (error) => reject(error));
    request.pipe(parser);
  });
}

function collect(stream: BusboyFileStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
