// Where results files live: a directory (the CLI's --results-dir, the operator's results volume,
// one directory per namespace there) holding <name>.results.json.gz per experiment and
// <name>.campaign.results.json.gz per campaign. A name is the latest results of that name: a file
// it replaces is kept beside it, renamed after the time it was written, so a rerun or a
// re-created experiment of the same name never destroys what the previous one measured.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InvalidInputError } from '../invalid/index.ts';
import { decodeResults, encodeResults, type ResultsDocument } from './results-file.ts';

const SUFFIX = '.results.json.gz';

export function resultsFileName(kind: ResultsDocument['kind'], name: string): string {
  return kind === 'MigrationCampaign' ? `${name}.campaign${SUFFIX}` : `${name}${SUFFIX}`;
}

/** Writes the document as `dir`/<name>..., keeping a file it replaces; returns the path written. */
export async function writeResults(dir: string, name: string, document: ResultsDocument): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, resultsFileName(document.kind, name));
  const previous = await stat(path).catch(() => undefined);
  if (previous) {
    const stamp = previous.mtime.toISOString().replace(/[-:]/g, '');
    await rename(path, path.slice(0, -SUFFIX.length) + `.${stamp}${SUFFIX}`);
  }
  // Written whole under another name first: a reader (or a crash) never sees half a file.
  const partial = `${path}.partial`;
  await writeFile(partial, encodeResults(document));
  await rename(partial, path);
  return path;
}

/**
 * The file meant by `what`: a path to a results file, or the name of an experiment or campaign
 * whose file is in `dir`. A name both an experiment and a campaign have must be given as a path.
 */
export async function locateResults(what: string, dir: string): Promise<string> {
  if (what.endsWith(SUFFIX) || what.includes('/')) {
    const found = await stat(what).catch(() => undefined);
    if (!found?.isFile()) throw new InvalidInputError(what, 'no such results file: give a file written by `migrascope run` or the operator (NAME.results.json.gz), or an experiment or campaign name with --results-dir');
    return what;
  }
  const candidates = [join(dir, resultsFileName('MigrationExperiment', what)), join(dir, resultsFileName('MigrationCampaign', what))];
  const present: string[] = [];
  for (const path of candidates) if ((await stat(path).catch(() => undefined))?.isFile()) present.push(path);
  if (present.length === 1) return present[0]!;
  if (present.length > 1) throw new InvalidInputError(what, `both an experiment and a campaign have results of this name in ${dir}: give the file (${present.map((p) => basename(p)).join(' or ')})`);
  throw new InvalidInputError(what, `no results of this name in ${dir} (looked for ${candidates.map((p) => basename(p)).join(' and ')}); give the directory with --results-dir, or a file's path`);
}

export async function readResults(path: string): Promise<ResultsDocument> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InvalidInputError(path, `cannot read the results file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return decodeResults(bytes, path);
}
