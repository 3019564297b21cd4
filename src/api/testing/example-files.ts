// The YAML files under examples/ that hold our resources (and their Secrets), subfolders included
// (examples/dokuwiki/: an application's profile beside its experiments). The GitOps tools' own
// files (kustomizations, examples/gitops/flux.yaml and argocd.yaml) are not resources of ours:
// test/integration/examples-gitops.test.ts checks them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const EXAMPLES_DIR = join(import.meta.dirname, '..', '..', '..', 'examples');

const TOOL_FILES = /(^|\/)kustomization\.yaml$|^gitops\/(flux|argocd)\.yaml$/;

/** Paths relative to examples/, sorted. */
export function exampleResourceFiles(): string[] {
  return readdirSync(EXAMPLES_DIR, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.yaml') && !TOOL_FILES.test(name))
    .sort();
}
