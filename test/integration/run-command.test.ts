// `migrascope run FILE --testbed` as a person types it: the real CLI, the testbed in its own
// process, a local Redis, one short experiment with a migration; the table, the JSON statuses and
// the HTML report come out, and nothing is left running.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../support/processes.ts';
import { testbedPoolDocuments, twoHostTopology } from '../support/run-topology.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/migrascope', import.meta.url).pathname;

const TOPOLOGY = twoHostTopology({ pool: 'run-test', tls: true });

const EXPERIMENT = `${testbedPoolDocuments({ tls: true })}---
apiVersion: migrascope.io/v1alpha1
kind: MigrationExperiment
metadata: { name: quick }
spec:
  poolRef: { name: testbed }
  target: { vm: { nameLabel: web }, applicationUrl: 'http://web.testbed.local/', probeUrl: 'http://web.testbed.local/healthz' }
  workload: { users: 10, drivers: 1, thinkTime: { mean: 500ms }, rampUp: 2s, steadyState: 8s, rampDown: 1s }
  sla: { window: 3s, step: 1s }
  migrations: { offsets: [3s], destination: { policy: mostFreeMemory }, timeout: 1m }
`;

describe('given a run file and a testbed topology', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await temporaryDirectory('run-command');
    await writeFile(join(dir, 'topology.yaml'), TOPOLOGY);
    await writeFile(join(dir, 'run.yaml'), EXPERIMENT);
  });

  it('when `migrascope run --testbed` runs it, then the table, the statuses and the report come out', async () => {
    const { stdout } = await run(
      bin,
      ['run', join(dir, 'run.yaml'), '--testbed', '--testbed-config', join(dir, 'topology.yaml'), '--results-dir', join(dir, 'results'), '--report', join(dir, 'report.html'), '--json', join(dir, 'status.json')],
      { env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'warn' }, timeout: 120_000 },
    );
    expect(stdout).toMatch(/quick: Succeeded \(1 run\(s\)\)/);
    expect(stdout).toMatch(/HomePage\s+\d+\s+0\s/);
    expect(stdout).toMatch(/alpha -> beta/);
    expect(stdout).toContain(`report: ${join(dir, 'report.html')}`);

    const statuses = JSON.parse(await readFile(join(dir, 'status.json'), 'utf8')) as { experiments: { name: string; status: { phase: string; summary: { migrations: number } } }[] };
    expect(statuses.experiments[0]).toMatchObject({ name: 'quick', status: { phase: 'Succeeded', summary: { migrations: 1 } } });
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('quick');
  });

  it('when the pool has two hosts and the experiment two runs of two round-robin migrations, then the VM alternates between them and every run succeeds', async () => {
    const twoRuns = EXPERIMENT.replace('name: quick', 'name: alternating')
      .replace('steadyState: 8s', 'steadyState: 12s')
      .replace('offsets: [3s], destination: { policy: mostFreeMemory }', 'offsets: [2s, 8s], destination: { policy: roundRobin }')
      .concat('  repetitions: 2\n  pauseBetweenRuns: 1s\n');
    await writeFile(join(dir, 'two-runs.yaml'), twoRuns);
    const { stdout } = await run(
      bin,
      ['run', join(dir, 'two-runs.yaml'), '--testbed', '--testbed-config', join(dir, 'topology.yaml'), '--results-dir', join(dir, 'results'), '--json', join(dir, 'two-runs.json'), '--no-progress'],
      { env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'warn' }, timeout: 150_000 },
    );
    expect(stdout).toMatch(/alternating: Succeeded \(2 run\(s\)\)/);
    const statuses = JSON.parse(await readFile(join(dir, 'two-runs.json'), 'utf8')) as { experiments: { status: { runs: { migrations: { state: string; source: string; destination: string }[] }[] } }[] };
    const hops = statuses.experiments[0]?.status.runs.flatMap((one) => one.migrations.map((migration) => `${migration.state} ${migration.source} -> ${migration.destination}`));
    expect(hops).toEqual(['Succeeded alpha -> beta', 'Succeeded beta -> alpha', 'Succeeded alpha -> beta', 'Succeeded beta -> alpha']);
  });

  it('when its experiment fails, then it exits 1 (not 0) and still writes the statuses', async () => {
    await writeFile(join(dir, 'failing.yaml'), EXPERIMENT.replace('nameLabel: web', 'nameLabel: no-such-vm'));
    const failure = await run(
      bin,
      ['run', join(dir, 'failing.yaml'), '--testbed', '--testbed-config', join(dir, 'topology.yaml'), '--results-dir', join(dir, 'results'), '--json', join(dir, 'failed.json'), '--no-progress'],
      { env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'warn' }, timeout: 120_000 },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.stdout).toMatch(/quick: Failed/);
    const statuses = JSON.parse(await readFile(join(dir, 'failed.json'), 'utf8')) as { experiments: { name: string; status: { phase: string } }[] };
    expect(statuses.experiments[0]).toMatchObject({ name: 'quick', status: { phase: 'Failed' } });
  });

  it('when the file has a mistake, then it exits 2 naming the document and the field', async () => {
    await writeFile(join(dir, 'bad.yaml'), EXPERIMENT.replace('users: 10', 'users: -1'));
    const failure = await run(bin, ['run', join(dir, 'bad.yaml')], { env: process.env }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(/bad\.yaml \(document 3\): spec\.workload\.users/);
  });
});
