// Keeps what a person installs in step with its sources, so each thing is written once:
//
//   sources                                        written from them
//   crds/*.yaml (npm run crds)                 ->  helm/migrascope/crds/ (Helm's CRD folder, and a
//                                                  kustomization.yaml that deploy/default builds)
//   src/metrics/alert-rules.ts                 ->  deploy/prometheus/migrascope-rules.yaml and
//                                                  deploy/grafana/provisioning/alerting/migrascope-alerts.yaml
//   deploy/prometheus/migrascope-rules.yaml    ->  helm/migrascope/files/prometheus-rules.yaml
//   deploy/grafana/dashboards/migrascope.json  ->  helm/migrascope/files/grafana-dashboard.json
//   deploy/argocd/health.lua                   ->  deploy/argocd/argocd-cm.yaml (Argo CD's health
//                                                  checks, one key per kind: scripts/argocd-cm.ts)
//   helm/migrascope/templates/<dir>/<file>     ->  deploy/<dir>/<file> and deploy/<dir>/kustomization.yaml
//                                                  (the chart rendered as release "migrascope" in
//                                                  migrascope-system), deploy/install.yaml
//
// Helm cannot read files outside its chart and kustomize refuses files outside its folder (even
// through symlinks), so the chart holds copies and deploy/ holds the chart rendered. The chart is
// the one place the manifests are written; deploy/ is what it renders to.
//
//   node scripts/sync-chart.ts           writes the files (and removes ones no longer rendered)
//   node scripts/sync-chart.ts --check   lists stale files and exits 1 (test/integration/deploy-sync.test.ts)
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GRAFANA_ALERTS_FILE, PROMETHEUS_RULES_FILE, grafanaAlertsFile, prometheusRulesFile } from '../src/metrics/alert-files.ts';
import { ARGOCD_CM_FILE, argocdConfigMap } from './argocd-cm.ts';
import { kubeTools, tool } from './kube-tools.ts';

const repoRoot = join(import.meta.dirname, '..');
const CHART = 'helm/migrascope';

/**
 * The `release` label kube-prometheus-stack's Prometheus selects ServiceMonitors and
 * PrometheusRules by (its serviceMonitorSelector / ruleSelector default to the Helm release
 * name); deploy/monitoring carries it for a stack installed as "kube-prometheus-stack".
 */
export const KUBE_PROMETHEUS_STACK_RELEASE = 'kube-prometheus-stack';

/** How deploy/ renders the chart: the release kubebuilder-style manifests would install. */
export const DEPLOY_RELEASE = {
  name: 'migrascope',
  namespace: 'migrascope-system',
  set: [
    'serviceMonitor.enabled=true',
    'prometheusRule.enabled=true',
    'grafanaDashboard.enabled=true',
    `serviceMonitor.labels.release=${KUBE_PROMETHEUS_STACK_RELEASE}`,
    `prometheusRule.labels.release=${KUBE_PROMETHEUS_STACK_RELEASE}`,
  ],
};

/** Folders whose every file this script writes: anything else found there is stale. */
const GENERATED_DIRS = [`${CHART}/crds`, `${CHART}/files`, 'deploy/rbac', 'deploy/secret-access', 'deploy/manager', 'deploy/redis', 'deploy/monitoring'];
/** deploy/ folders that go into deploy/install.yaml, in apply order (monitoring needs the Prometheus operator). */
const INSTALL_DIRS = ['rbac', 'secret-access', 'redis', 'manager'];
const NAMESPACE_FILE = 'deploy/default/namespace.yaml';

const COMMAND = 'node scripts/sync-chart.ts';

/** Every file this script owns, by path relative to the repository, with its content. */
export async function plannedFiles(root = repoRoot): Promise<Map<string, string>> {
  const files = new Map<string, string>([
    [PROMETHEUS_RULES_FILE, prometheusRulesFile(COMMAND)],
    [GRAFANA_ALERTS_FILE, grafanaAlertsFile(COMMAND)],
    [ARGOCD_CM_FILE, argocdConfigMap(root, COMMAND)],
  ]);
  for (const [path, content] of chartCopies(root, files)) files.set(path, content);
  const rendered = await renderDeploy(root, files);
  for (const [path, content] of rendered) files.set(path, content);
  files.set('deploy/install.yaml', installManifest(root, files));
  return files;
}

/** Paths whose content differs from the plan, are missing, or should not exist any more. */
export function staleFiles(planned: Map<string, string>, root = repoRoot): string[] {
  const stale = new Set<string>();
  for (const [path, content] of planned) {
    const full = join(root, path);
    if (!existsSync(full) || readFileSync(full, 'utf8') !== content) stale.add(path);
  }
  for (const dir of GENERATED_DIRS) {
    if (!existsSync(join(root, dir))) continue;
    for (const name of readdirSync(join(root, dir))) {
      if (!planned.has(`${dir}/${name}`)) stale.add(`${dir}/${name}`);
    }
  }
  return [...stale].sort();
}

function chartCopies(root: string, generated: Map<string, string>): Map<string, string> {
  const copies = new Map<string, string>();
  const crdFiles = readdirSync(join(root, 'crds')).filter((name) => name.endsWith('.yaml')).sort();
  for (const name of crdFiles) {
    copies.set(`${CHART}/crds/${name}`, copiedHeader(`crds/${name}`) + read(root, `crds/${name}`));
  }
  copies.set(`${CHART}/crds/kustomization.yaml`, kustomization(crdFiles, 'the CRDs of crds/, for deploy/default (.helmignore keeps Helm from installing this file)'));
  copies.set(`${CHART}/files/prometheus-rules.yaml`, copiedHeader(PROMETHEUS_RULES_FILE) + (generated.get(PROMETHEUS_RULES_FILE) ?? ''));
  // JSON has no comments: the header is in this script and in the chart's template.
  copies.set(`${CHART}/files/grafana-dashboard.json`, read(root, 'deploy/grafana/dashboards/migrascope.json'));
  return copies;
}

/** The chart (with the copies as planned) rendered by helm, one deploy/ file per template. */
async function renderDeploy(root: string, copies: Map<string, string>): Promise<Map<string, string>> {
  const workDir = mkdtempSync(join(tmpdir(), 'migrascope-sync-chart-'));
  try {
    const chart = join(workDir, 'migrascope');
    cpSync(join(root, CHART), chart, { recursive: true });
    for (const [path, content] of copies) {
      const target = join(chart, path.slice(CHART.length + 1));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    const args = ['template', DEPLOY_RELEASE.name, chart, '--namespace', DEPLOY_RELEASE.namespace];
    for (const value of DEPLOY_RELEASE.set) args.push('--set', value);
    const output = await tool(kubeTools().helm, args);
    return deployFiles(output);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Splits `helm template` output by its "# Source:" comments into deploy/<dir>/<file>. */
export function deployFiles(helmOutput: string): Map<string, string> {
  const documents = new Map<string, string[]>();
  for (const chunk of helmOutput.split(/^---\n/m)) {
    const match = /^# Source: [^/]+\/templates\/(.+)\n/.exec(chunk);
    if (!match?.[1]) continue;
    const body = withoutHelmLabels(chunk.slice(match[0].length)).trimEnd();
    if (body === '') continue;
    const path = `deploy/${match[1]}`;
    documents.set(path, [...(documents.get(path) ?? []), body]);
  }
  const files = new Map<string, string>();
  const byDir = new Map<string, string[]>();
  for (const [path, bodies] of [...documents].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    files.set(path, renderedHeader(path) + bodies.map((body) => `${body}\n`).join('---\n'));
    const dir = dirname(path);
    byDir.set(dir, [...(byDir.get(dir) ?? []), path.slice(dir.length + 1)]);
  }
  for (const [dir, names] of byDir) {
    files.set(`${dir}/kustomization.yaml`, kustomization(names, `the ${dir.split('/').pop()} manifests of the chart, for deploy/default`));
  }
  return files;
}

/** Helm's bookkeeping labels say "installed by Helm", which manifests applied without it are not. */
function withoutHelmLabels(yaml: string): string {
  return yaml.replace(/^\s*helm\.sh\/chart: .*\n/gm, '').replace(/^\s*app\.kubernetes\.io\/managed-by: Helm\n/gm, '');
}

/** Plain manifests: the namespace, the CRDs and the operator, without the Prometheus operator's kinds. */
function installManifest(root: string, files: Map<string, string>): string {
  const parts = [read(root, NAMESPACE_FILE)];
  for (const [path, content] of files) {
    if (path.startsWith(`${CHART}/crds/migrascope.io_`)) parts.push(content);
  }
  for (const dir of INSTALL_DIRS) {
    for (const [path, content] of files) {
      if (path.startsWith(`deploy/${dir}/`) && !path.endsWith('/kustomization.yaml')) parts.push(content);
    }
  }
  const documents = parts.flatMap((part) => part.split(/^---\n/m)).map(withoutLeadingComments).filter((document) => document.trim() !== '');
  const header =
    `# Migrascope, plain manifests: namespace ${DEPLOY_RELEASE.namespace}, the CRDs, RBAC, Redis, the controller and\n` +
    `# the workers (deploy/monitoring holds the Prometheus operator objects).\n` +
    `#   kubectl apply --server-side -f deploy/install.yaml\n` +
    `# Generated by ${COMMAND} from the chart; do not edit.\n`;
  return header + documents.map((document) => `---\n${document.trimEnd()}\n`).join('');
}

/** Drops a document's leading comment lines (the file headers); comments within it stay. */
function withoutLeadingComments(document: string): string {
  return document.replace(/^(?:\s*#.*\n|\s*\n)*/, '');
}

function kustomization(resources: string[], what: string): string {
  return (
    `# Generated by ${COMMAND}: ${what}; do not edit.\n` +
    'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n' +
    resources.map((name) => `  - ${name}\n`).join('')
  );
}

function copiedHeader(source: string): string {
  return `# Copied from ${source} by ${COMMAND}; do not edit (change the source, then run it).\n`;
}

function renderedHeader(path: string): string {
  const template = `${CHART}/templates/${path.slice('deploy/'.length)}`;
  return `# Generated by ${COMMAND} from ${template}\n# (release "${DEPLOY_RELEASE.name}" in namespace ${DEPLOY_RELEASE.namespace}); do not edit.\n`;
}

function read(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const planned = await plannedFiles();
  const stale = staleFiles(planned);
  if (check) {
    if (stale.length === 0) return 0;
    process.stderr.write(`stale (run ${COMMAND}):\n${stale.map((path) => `  ${path}\n`).join('')}`);
    return 1;
  }
  for (const path of stale) {
    const content = planned.get(path);
    const full = join(repoRoot, path);
    if (content === undefined) {
      rmSync(full);
      process.stderr.write(`removed ${path}\n`);
    } else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      process.stderr.write(`wrote ${path}\n`);
    }
  }
  if (stale.length === 0) process.stderr.write('up to date\n');
  return 0;
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
