import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GRAFANA_ALERTS_FILE, PROMETHEUS_RULES_FILE, grafanaAlertsFile, prometheusRulesFile } from './alert-files.ts';
import { ALERT_GROUPS, RUNBOOK_URL, runbookUrl } from './alert-rules.ts';

const root = join(import.meta.dirname, '..', '..');
const COMMAND = 'node scripts/sync-chart.ts';
const rules = ALERT_GROUPS.flatMap((group) => group.rules);

describe('Given the alerts of alert-rules.ts', () => {
  it('then the Prometheus rule file and the Grafana provisioning committed are what they render to (run node scripts/sync-chart.ts)', () => {
    expect(readFileSync(join(root, PROMETHEUS_RULES_FILE), 'utf8')).toBe(prometheusRulesFile(COMMAND));
    expect(readFileSync(join(root, GRAFANA_ALERTS_FILE), 'utf8')).toBe(grafanaAlertsFile(COMMAND));
  });

  it('then both copies hold the same alerts with the same severity, for: and annotations', () => {
    type PromRule = { alert: string; for?: string; labels: unknown; annotations: unknown };
    type GrafanaRule = { title: string; uid: string; for: string; labels: unknown; annotations: unknown };
    const prometheus = (parse(prometheusRulesFile(COMMAND)) as { groups: { rules: PromRule[] }[] }).groups.flatMap((g) => g.rules);
    const grafana = (parse(grafanaAlertsFile(COMMAND)) as { groups: { rules: GrafanaRule[] }[] }).groups.flatMap((g) => g.rules);
    expect(grafana.map((r) => [r.title, r.for === '0s' ? undefined : r.for, r.labels, r.annotations])).toEqual(
      prometheus.map((r) => [r.alert, r.for, r.labels, r.annotations]),
    );
    const uids = grafana.map((r) => r.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid.length).toBeLessThanOrEqual(40);
  });

  it('then an SLA breach is never critical while the operator down or migrations failing are', () => {
    const severity = Object.fromEntries(rules.map((rule) => [rule.alert, rule.severity]));
    expect(severity.MigrascopeSlaViolated).not.toContain('critical');
    expect(severity.MigrascopeMigrationDowntimeHigh).toBe('warning');
    expect([severity.MigrascopeControllerDown, severity.MigrascopeWorkersDown, severity.MigrascopeMigrationsFailing]).toEqual(['critical', 'critical', 'critical']);
  });

  it('then each alert links a section of docs/runbooks.md that exists', () => {
    const headings = readFileSync(join(root, 'docs', 'runbooks.md'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('## '))
      .map((line) => line.slice(3).trim());
    for (const rule of rules) {
      expect(headings).toContain(rule.alert);
      expect(runbookUrl(rule.alert)).toBe(`${RUNBOOK_URL}#${rule.alert.toLowerCase()}`);
    }
  });
});
