// Writes the CustomResourceDefinitions under crds/ and the field tables of docs/resources.md from
// the zod schemas in src/api (the single source of truth). `npm run crds`; src/api/crds.test.ts
// fails when what is committed differs from what this would write.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCrdFiles } from '../src/api/crd/render.ts';
import { REFERENCE_DOC, renderReferenceDoc } from '../src/api/crd/reference-doc.ts';

const root = join(import.meta.dirname, '..');

for (const [path, content] of renderCrdFiles()) {
  writeFileSync(join(root, path), content);
  process.stderr.write(`wrote ${path}\n`);
}

const docPath = join(root, REFERENCE_DOC);
writeFileSync(docPath, renderReferenceDoc(readFileSync(docPath, 'utf8')));
process.stderr.write(`updated the field tables of ${REFERENCE_DOC}\n`);
