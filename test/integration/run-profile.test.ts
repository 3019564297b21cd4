// `migrascope run FILE --testbed` with the users described by a WorkloadProfile in the same file:
// the run judges the profile's actions and nothing else (table, JSON, report), the status names
// the profile, and a file whose experiment names a missing profile, or leaves one of its actions
// without a threshold, is refused before anything starts (exit 2, the document and the field named).
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../support/processes.ts';
import { testbedPoolDocuments, twoHostTopology } from '../support/run-topology.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/migrascope', import.meta.url).pathname;

const TOPOLOGY = twoHostTopology({ pool: 'run-profile' });

const PROFILE = `apiVersion: migrascope.io/v1alpha1
kind: WorkloadProfile
metadata: { name: browsing }
spec:
  think: { mean: 500ms }
  actions:
    - name: Home
      requests:
        - path: /index.php
          expect: { status: [200] }
          capture: [{ var: event, regex: 'events\\.php\\?socialEventID=(\\d+)', pick: random }]
    - name: Event
      requests: [{ path: '/events.php?socialEventID={{event}}', when: event, expect: { status: [200] } }]
  matrix: { Home: [0.3, 0.7], Event: [0.6, 0.4] }
`;

const POOL = testbedPoolDocuments();

const experiment = (sla: string, profileRef = 'browsing') => `apiVersion: migrascope.io/v1alpha1
kind: MigrationExperiment
metadata: { name: browse }
spec:
  poolRef: { name: testbed }
  target: { vm: { nameLabel: web }, applicationUrl: 'http://web.testbed.local/', probeUrl: 'http://web.testbed.local/healthz' }
  workload: { profileRef: { name: ${profileRef} }, users: 10, rampUp: 2s, steadyState: 8s, rampDown: 1s }
  sla: ${sla}
  migrations: { offsets: [3s], timeout: 1m }
`;

describe('given a run file holding a WorkloadProfile and an experiment that uses it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await temporaryDirectory('run-profile');
    await writeFile(join(dir, 'topology.yaml'), TOPOLOGY);
  });

  it("when `migrascope run --testbed` runs it, then only the profile's actions are judged, by their thresholds, and the status names the profile", async () => {
    await writeFile(join(dir, 'run.yaml'), [POOL, PROFILE, experiment('{ window: 3s, step: 1s, thresholds: { Event: 3s }, defaultThreshold: 1500ms }')].join('---\n'));
    const { stdout } = await run(
      bin,
      ['run', join(dir, 'run.yaml'), '--testbed', '--testbed-config', join(dir, 'topology.yaml'), '--results-dir', join(dir, 'results'), '--report', join(dir, 'report.html'), '--json', join(dir, 'status.json')],
      { env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'warn' }, timeout: 120_000 },
    );
    expect(stdout).toMatch(/browse: Succeeded \(1 run\(s\)\)/);
    expect(stdout).toMatch(/Home\s+\d+\s+0\s/);
    expect(stdout).toMatch(/Event\s+\d+\s+0\s/);
    expect(stdout).not.toMatch(/HomePage|TagSearch|AddEvent/);

    type Action = { action: string; count: number; errors: number; thresholdSeconds: number };
    const statuses = JSON.parse(await readFile(join(dir, 'status.json'), 'utf8')) as { experiments: { status: { phase: string; profile: unknown; runs: { actions: Action[] }[] } }[] };
    const status = statuses.experiments[0]?.status;
    expect(status?.profile).toEqual({ kind: 'WorkloadProfile', name: 'browsing', actions: ['Home', 'Event'] });
    expect(status?.runs[0]?.actions.map((a) => [a.action, a.thresholdSeconds])).toEqual([
      ['Home', 1.5],
      ['Event', 3],
    ]);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('WorkloadProfile browsing profile');
    expect(html).not.toContain('HomePage');
  });

  it('when the experiment names a profile the file lacks, then it exits 2 naming the document and spec.workload.profileRef.name', async () => {
    await writeFile(join(dir, 'missing.yaml'), [POOL, PROFILE, experiment('{ window: 3s, defaultThreshold: 1s }', 'shop')].join('---\n'));
    const failure = await run(bin, ['run', join(dir, 'missing.yaml')], { env: process.env }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(/missing\.yaml \(document 4\): spec\.workload\.profileRef\.name: no WorkloadProfile "shop" in namespace default/);
  });

  it('when an action of the profile has no threshold, then it exits 2 naming spec.sla.thresholds and the action', async () => {
    await writeFile(join(dir, 'unjudged.yaml'), [POOL, PROFILE, experiment('{ window: 3s, thresholds: { Home: 1s } }')].join('---\n'));
    const failure = await run(bin, ['run', join(dir, 'unjudged.yaml')], { env: process.env }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(/unjudged\.yaml \(document 4\): spec\.sla\.thresholds: no threshold for Event \(actions of WorkloadProfile browsing\)/);
  });
});
