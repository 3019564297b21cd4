// Regenerates docs/dashboard.png, the picture of the Grafana dashboard in the README, without
// Grafana: a short testbed experiment (a baseline run, then one with a migration) runs through the
// engine (as test/integration/dashboard-prometheus.test.ts runs it), a real Prometheus scrapes its metrics,
// every panel's queries are run over the run, and the answers are drawn (scripts/dashboard-picture.ts)
// and photographed by headless Chromium (scripts/deps.sh installs both).
//
//   node scripts/render-dashboard.ts [out.png]      (about a minute)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { EXPERIMENT, NAMESPACE, runDashboardExperiment } from '../test/support/dashboard-run.ts';
import { dashboardHtml } from './dashboard-picture.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main(out: string): Promise<void> {
  process.stderr.write('running a testbed experiment with one migration, scraped by Prometheus...\n');
  const run = await runDashboardExperiment({ steady: '30s', users: 20 });
  const directory = await mkdtemp(join(tmpdir(), 'migrascope-dashboard-'));
  try {
    const html = dashboardHtml({
      title: 'Migrascope: live migration cost',
      subtitle: `namespace ${NAMESPACE} · experiment ${EXPERIMENT} · a baseline run, then a testbed run with one live migration (shaded) · every panel's queries answered by Prometheus`,
      panels: run.panels,
      annotation: run.annotations[0],
      from: run.from,
      to: run.to,
    });
    const file = join(directory, 'dashboard.html');
    await writeFile(file, html);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
      await page.goto(`file://${file}`);
      await page.screenshot({ path: out, fullPage: true });
    } finally {
      await browser.close();
    }
    process.stderr.write(`wrote ${out}\n`);
  } finally {
    await run.close();
    await rm(directory, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  await main(process.argv[2] ?? join(import.meta.dirname, '..', 'docs', 'dashboard.png'));
}
