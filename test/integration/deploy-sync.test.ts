// What scripts/sync-chart.ts writes (the chart's copies of crds/, the Prometheus rules and Grafana
// alerts from src/metrics/alert-rules.ts, the Grafana dashboard; deploy/ rendered from the chart)
// is what is committed: a change to a source without running the script fails here, naming the
// stale files. Uses the real helm.
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plannedFiles, staleFiles } from '../../scripts/sync-chart.ts';
import { parseManifests, readManifests, repoRoot } from '../support/manifests.ts';

describe('Given the committed chart and deploy/', () => {
  describe('When scripts/sync-chart.ts plans its files', () => {
    it('Then every one is committed as planned and no stray file is left', async () => {
      const planned = await plannedFiles();
      expect(staleFiles(planned), 'run: node scripts/sync-chart.ts').toEqual([]);
    });

    it("Then the chart's CRDs are crds/ document for document, so Helm and kubectl install the same", () => {
      for (const name of ['migrascope.io_xenpools.yaml', 'migrascope.io_migrationexperiments.yaml', 'migrascope.io_migrationcampaigns.yaml', 'migrascope.io_migrationschedules.yaml']) {
        expect(readManifests(`helm/migrascope/crds/${name}`)).toEqual(readManifests(`crds/${name}`));
      }
    });
  });
});

describe('Given a copy of the sources', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'migrascope-sync-'));
    for (const dir of ['crds', 'deploy', 'helm']) cpSync(join(repoRoot, dir), join(root, dir), { recursive: true });
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  describe('When a CRD, a rule, a template and the Argo CD health check change and a stray manifest appears', () => {
    it('Then the check names each file the change makes stale', async () => {
      appendFileSync(join(root, 'crds', 'migrascope.io_xenpools.yaml'), '# changed\n');
      appendFileSync(join(root, 'deploy', 'prometheus', 'migrascope-rules.yaml'), '# changed\n');
      const template = join(root, 'helm', 'migrascope', 'templates', 'secret-access', 'worker_role.yaml');
      writeFileSync(template, readFileSync(template, 'utf8').replace('verbs: [get]\n{{- end }}', 'verbs: [get, list]\n{{- end }}'));
      writeFileSync(join(root, 'deploy', 'rbac', 'stray.yaml'), 'kind: ConfigMap\n');
      appendFileSync(join(root, 'deploy', 'argocd', 'health.lua'), '-- changed\n');

      const planned = await plannedFiles(root);
      const stale = staleFiles(planned, root);

      // The rule file is generated from src/metrics/alert-rules.ts: an edit by hand is stale, and
      // its copies (the chart's file, the rendered PrometheusRule) stay as the source says.
      expect(stale).toEqual([
        'deploy/argocd/argocd-cm.yaml',
        'deploy/install.yaml',
        'deploy/prometheus/migrascope-rules.yaml',
        'deploy/rbac/stray.yaml',
        'deploy/secret-access/worker_role.yaml',
        'helm/migrascope/crds/migrascope.io_xenpools.yaml',
      ]);
      const workerRole = parseManifests(planned.get('deploy/secret-access/worker_role.yaml') ?? '');
      expect(workerRole[0]?.rules).toContainEqual({ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] });
    });
  });
});
