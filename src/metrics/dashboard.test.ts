import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboard, DASHBOARD_FILE, renderDashboard, ROWS } from './dashboard.ts';

const root = join(import.meta.dirname, '..', '..');

describe('given the dashboard built with the Grafana Foundation SDK', () => {
  it('when compared with the committed JSON, then it is what `npm run crds` writes', () => {
    expect(readFileSync(join(root, DASHBOARD_FILE), 'utf8')).toBe(renderDashboard());
  });

  it('when its time series are read, then none uses $__range and every experiment query selects $namespace and $experiment', () => {
    for (const query of ROWS.flatMap((row) => row.panels).flatMap((panel) => panel.queries)) {
      expect(query.expr).not.toContain('$__range');
      if (query.expr.includes('migrascope_')) expect(query.expr).toContain('namespace=~"$namespace",experiment=~"$experiment"');
    }
  });

  it('when built, then panel ids are unique, the threshold series is dashed and the report is linked', () => {
    const dashboard = buildDashboard();
    const panels = dashboard.panels ?? [];
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const json = JSON.stringify(dashboard);
    expect(json).toContain('migrascope_sla_threshold_seconds');
    expect(json).toContain('"custom.lineStyle"');
    expect(json).toContain('/reports/${namespace}/${experiment}');
    expect(json).toContain('/reports/${__field.labels.namespace}/${__field.labels.experiment}');
  });
});
