// Results that outlive the run, end to end: `migrascope run --testbed` runs two real experiments
// (two runs each, a live migration in every run) and leaves a results file and a CSV per
// experiment; `results export` turns a file back into rows that agree with the status the engine
// wrote, `compare` puts the two side by side, the report is rebuilt from a file alone, and bad
// input is refused with exit 2.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MigrationExperimentStatus } from '../../src/api/v1alpha1/index.ts';
import { parseCsv } from '../../src/results/testing/csv.ts';
import type { Comparison } from '../../src/results/comparison.ts';
import type { ResultsExport } from '../../src/results/export.ts';
import { readResults } from '../../src/results/results-store.ts';
import { renderResults } from '../../src/results/results-report.ts';
import { migrascope, migrascopeInProcess } from '../support/cli.ts';
import { temporaryDirectory } from '../support/processes.ts';
import { testbedPoolDocuments, twoHostTopology } from '../support/run-topology.ts';

const experiment = (name: string, thinkTime: string) => `---
apiVersion: migrascope.io/v1alpha1
kind: MigrationExperiment
metadata: { name: ${name} }
spec:
  poolRef: { name: testbed }
  target: { vm: { nameLabel: web }, applicationUrl: 'http://web.testbed.local/', probeUrl: 'http://web.testbed.local/healthz' }
  workload: { users: 10, drivers: 1, thinkTime: { mean: ${thinkTime} }, rampUp: 2s, steadyState: 7s, rampDown: 1s }
  sla: { window: 3s, step: 1s }
  migrations: { offsets: [2s], destination: { policy: roundRobin }, timeout: 1m }
  repetitions: 2
  pauseBetweenRuns: 1s
`;

interface Statuses {
  experiments: { name: string; status: MigrationExperimentStatus }[];
}

describe('given two experiments run on the testbed with their results kept in a directory', () => {
  let dir: string;
  let results: string;
  let statuses: Statuses;
  const status = (name: string): MigrationExperimentStatus => statuses.experiments.find((e) => e.name === name)!.status;

  beforeAll(async () => {
    dir = await temporaryDirectory('results-command');
    results = join(dir, 'results');
    await writeFile(join(dir, 'topology.yaml'), twoHostTopology({ pool: 'results-test' }));
    await writeFile(join(dir, 'run.yaml'), testbedPoolDocuments() + experiment('before', '500ms') + experiment('after', '250ms'));
    const run = await migrascope(
      'run', join(dir, 'run.yaml'), '--testbed', '--testbed-config', join(dir, 'topology.yaml'), '--results-dir', results,
      '--report', join(dir, 'report.html'), '--json', join(dir, 'status.json'), '--no-progress',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`results: ${join(results, 'before.results.json.gz')}`);
    statuses = JSON.parse(await readFile(join(dir, 'status.json'), 'utf8')) as Statuses;
  }, 150_000);

  it('when the CSV is exported, then its windows, counts and migrations are those of the status', async () => {
    const exported = await migrascopeInProcess('results', 'export', 'before', '--results-dir', results, '--format', 'csv');
    expect(exported.code).toBe(0);
    const rows = parseCsv(exported.stdout);
    const { runs } = status('before');
    expect(runs).toHaveLength(2);
    for (const run of runs!) {
      for (const action of run.actions!) {
        const steady = rows.filter((r) => r.record === 'second' && r.run === String(run.index) && r.action === action.action && r.stage === 'steady');
        expect(steady.reduce((sum, r) => sum + Number(r.ok), 0), `${action.action} run ${run.index}: count`).toBe(action.count);
        const windows = rows.filter((r) => r.record === 'window' && r.run === String(run.index) && r.action === action.action);
        for (const percentile of action.percentiles) {
          const values = windows.map((r) => r[`p${percentile.percentile}_s`]).filter((v) => v !== '').map(Number);
          if (percentile.maxSeconds === undefined) expect(values).toEqual([]);
          else expect(Math.max(...values), `${action.action} p${percentile.percentile} run ${run.index}`).toBeCloseTo(percentile.maxSeconds, 9);
          expect(windows.filter((r) => (r.violated ?? '').split(' ').includes(String(percentile.percentile))).length).toBe(percentile.violations);
        }
      }
      const migrations = rows.filter((r) => r.record === 'migration' && r.run === String(run.index));
      expect(migrations.map((r) => ({ index: Number(r.migration), state: r.state, source: r.source, destination: r.destination, durationSeconds: Number(r.duration_s), downtimeSeconds: Number(r.downtime_s) }))).toEqual(
        run.migrations!.map((m) => ({ index: m.index, state: m.state, source: m.source, destination: m.destination, durationSeconds: m.durationSeconds, downtimeSeconds: m.downtimeSeconds })),
      );
    }
    // The run wrote the same CSV beside the results file, and the report links it.
    expect(await readFile(join(results, 'before.csv'), 'utf8')).toBe(exported.stdout);
    expect(await readFile(join(dir, 'report-before.html'), 'utf8')).toContain('href="results/before.csv"');
  });

  it('when JSON is exported, then it is the versioned export with the status summary', async () => {
    const exported = await migrascopeInProcess('results', 'export', join(results, 'after.results.json.gz'), '--format', 'json');
    expect(exported.code).toBe(0);
    const data = JSON.parse(exported.stdout) as ResultsExport;
    expect(data).toMatchObject({ format: 'migrascope-results-export', version: 1, kind: 'MigrationExperiment', name: 'after' });
    expect(data.experiments[0]!.summary).toEqual(status('after').summary);
    expect(data.experiments[0]!.percentiles).toEqual([50, 90, 99]);
    expect(data.experiments[0]!.windows.length).toBeGreaterThan(0);
  });

  it('when the two are compared, then each side is its status and "exceeds spread" follows the intervals', async () => {
    const json = await migrascopeInProcess('compare', 'before', 'after', '--results-dir', results, '--json', '--report', join(dir, 'compare.html'));
    expect(json.code).toBe(0);
    const comparison = JSON.parse(json.stdout) as Comparison & { kind: 'MigrationExperiment' };
    expect(comparison.experiments.a).toMatchObject({ name: 'before', phase: 'Succeeded', runs: 2 });
    const summaryA = status('before').summary!.actions!;
    const summaryB = status('after').summary!.actions!;
    for (const row of comparison.experiments.actions) {
      const a = summaryA.find((x) => x.action === row.action)?.percentiles.find((p) => p.percentile === row.percentile);
      const b = summaryB.find((x) => x.action === row.action)?.percentiles.find((p) => p.percentile === row.percentile);
      expect(row.a.worst).toBe(a?.worstMaxSeconds);
      expect(row.b.worst).toBe(b?.worstMaxSeconds);
      if (a?.ci95MaxSeconds && b?.ci95MaxSeconds) {
        const apart = a.ci95MaxSeconds.high < b.ci95MaxSeconds.low || b.ci95MaxSeconds.high < a.ci95MaxSeconds.low;
        expect(row.exceeds).toBe(apart ? 'yes' : 'no');
      } else expect(row.exceeds).toBe('unknown');
    }
    expect(comparison.experiments.downtimeSeconds.a.runs).toBe(2);
    const html = await readFile(join(dir, 'compare.html'), 'utf8');
    expect(html).toContain('A: before · B: after');

    const table = await migrascopeInProcess('compare', 'before', 'after', '--results-dir', results);
    expect(table.stdout).toMatch(/HomePage\s+p90/);
    expect(table.stdout).toMatch(/downtime \(clients\)/);
  });

  it('when the report is rebuilt from a results file alone, then it has the charts of every run', async () => {
    const document = await readResults(join(results, 'before.results.json.gz'));
    const html = renderResults(document, { generatedAt: new Date() });
    expect(html.match(/<svg/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(html).toContain('Run 2');
  });

  it('when the input is bad, then the command exits 2 naming what to fix', async () => {
    const missing = await migrascopeInProcess('results', 'export', 'nobody', '--results-dir', results);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('nobody: no results of this name') });
    const format = await migrascopeInProcess('results', 'export', 'before', '--results-dir', results, '--format', 'xlsx');
    expect(format).toMatchObject({ code: 2, stderr: expect.stringContaining('--format: unknown format "xlsx"') });
    const future = join(dir, 'future.results.json.gz');
    await writeFile(future, gzipSync(JSON.stringify({ format: 'migrascope-results', version: 99, kind: 'MigrationExperiment', writtenAt: 'x' })));
    expect(await migrascopeInProcess('compare', future, 'before', '--results-dir', results)).toMatchObject({ code: 2, stderr: expect.stringContaining('results file version 99') });
    const notGzip = join(dir, 'plain.results.json.gz');
    await writeFile(notGzip, '{}');
    expect(await migrascopeInProcess('results', 'export', notGzip)).toMatchObject({ code: 2, stderr: expect.stringContaining('not a migrascope results file') });
  });
});
