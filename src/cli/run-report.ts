// The HTML report of `migrascope run --report FILE.html`: one file for one experiment or campaign;
// with several, one file each beside FILE (FILE-<name>.html). Each is rendered from the results
// document the run keeps (so it is the page the results file rebuilds) and links its CSV export.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { renderResults } from '../results/index.ts';
import type { KeptResults } from './run-results.ts';

export async function writeReport(path: string, kept: readonly KeptResults[]): Promise<string[]> {
  await mkdir(dirname(path), { recursive: true });
  const written: string[] = [];
  for (const { name, document, csv } of kept) {
    const target = kept.length === 1 ? path : join(dirname(path), `${basename(path, extname(path))}-${name}${extname(path) || '.html'}`);
    const csvHref = encodeURI(relative(dirname(target), csv).split(sep).join('/'));
    await writeFile(target, renderResults(document, { generatedAt: new Date(), csvHref }));
    written.push(target);
  }
  return written;
}
