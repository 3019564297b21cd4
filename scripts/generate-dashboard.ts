// Writes the Grafana dashboard deploy/grafana/dashboards/migrascope.json from src/metrics/dashboard.ts
// (built with the Grafana Foundation SDK). Part of `npm run crds`, before scripts/sync-chart.ts copies
// it into the chart; src/metrics/dashboard.test.ts fails when what is committed differs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_FILE, renderDashboard } from '../src/metrics/dashboard.ts';

writeFileSync(join(import.meta.dirname, '..', DASHBOARD_FILE), renderDashboard());
process.stderr.write(`wrote ${DASHBOARD_FILE}\n`);
