// What a person installs, as objects a test can look at: the Helm chart rendered by the real helm,
// deploy/default built by the real kubectl (kustomize), any manifest file parsed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kubeTools, tool } from '../../scripts/kube-tools.ts';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const CHART_DIR = join(repoRoot, 'helm', 'migrascope');

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface ChartRender {
  release?: string;
  namespace: string;
  /** Values, as a values file would hold them. */
  values?: Record<string, unknown>;
  /** Extra values files, relative to the chart (e.g. ci/namespaced-values.yaml). */
  valuesFiles?: string[];
  includeCrds?: boolean;
}

/** `helm template` of the chart: the manifest text. */
export async function renderChartText(render: ChartRender): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'migrascope-values-'));
  try {
    const args = ['template', render.release ?? 'migrascope', CHART_DIR, '--namespace', render.namespace];
    for (const file of render.valuesFiles ?? []) args.push('--values', join(CHART_DIR, file));
    if (render.values) {
      const valuesFile = join(dir, 'values.json'); // JSON is YAML
      writeFileSync(valuesFile, JSON.stringify(render.values));
      args.push('--values', valuesFile);
    }
    if (render.includeCrds) args.push('--include-crds');
    return await tool(kubeTools().helm, args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function renderChart(render: ChartRender): Promise<KubeObject[]> {
  return parseManifests(await renderChartText(render));
}

/** `kubectl kustomize <dir>`: the manifest text. */
export function buildKustomizationText(dir: string): Promise<string> {
  return tool(kubeTools().kubectl, ['kustomize', join(repoRoot, dir)]);
}

/**
 * An overlay as docs/deploy.md shows them: `resources` (folders of the repository), moved into
 * `namespace` by kustomize when given (e.g. deploy/secret-access into the namespace whose Secrets
 * to give), with `components` (e.g. deploy/components/external-redis).
 */
export async function buildOverlayText(overlay: { namespace?: string; resources: string[]; components?: string[] }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'migrascope-overlay-'));
  try {
    // kustomize takes only relative paths to other kustomizations.
    const listed = (folders: string[]) => folders.map((folder) => `  - ${relative(dir, join(repoRoot, folder))}\n`).join('');
    const text = [
      overlay.namespace ? `namespace: ${overlay.namespace}\n` : '',
      `resources:\n${listed(overlay.resources)}`,
      overlay.components?.length ? `components:\n${listed(overlay.components)}` : '',
    ].join('');
    writeFileSync(join(dir, 'kustomization.yaml'), text);
    return await tool(kubeTools().kubectl, ['kustomize', dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function readManifests(path: string): KubeObject[] {
  return parseManifests(readFileSync(join(repoRoot, path), 'utf8'));
}

/** Every non-empty document; a YAML error is an error naming it. */
export function parseManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors.map((error) => error.message).join('; ')}`);
    const object = document.toJS() as KubeObject | null;
    if (object) objects.push(object);
  }
  return objects;
}

export function find(objects: KubeObject[], kind: string, name: string, namespace?: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) {
    const present = objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`).join(', ');
    throw new Error(`no ${kind} ${namespace ?? '*'}/${name} among: ${present}`);
  }
  return found;
}

export function ofKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function toYamlStream(objects: KubeObject[]): string {
  return objects.map((object) => `---\n${JSON.stringify(object)}\n`).join('');
}
