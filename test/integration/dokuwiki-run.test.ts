// DokuWiki through the engine, as a person runs an experiment without Kubernetes: the shipped
// WorkloadProfile (examples/dokuwiki/workloadprofile.yaml, untouched, as a file of its own) and a
// short experiment like examples/dokuwiki/experiment.yaml, given to `migrascope run --testbed`
// whose web VM fronts a private DokuWiki. The run succeeds; every one of the profile's five actions
// is performed, judged by its threshold and error-free (the guest freezes during stop-and-copy and
// drops nothing); no Olio action appears anywhere; the migration is recorded with the downtime the
// clients saw.
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { OLIO_ACTIONS } from '../../src/api/v1alpha1/index.ts';
import { BIN } from '../support/cli.ts';
import { DOKUWIKI_ACTIONS, EXAMPLE_THRESHOLD_SECONDS, dokuWikiTopology, startDokuWiki, type DokuWiki } from '../support/dokuwiki.ts';
import { temporaryDirectory } from '../support/processes.ts';
import { testbedPoolDocuments } from '../support/run-topology.ts';

const run = promisify(execFile);
const PROFILE = fileURLToPath(new URL('../../examples/dokuwiki/workloadprofile.yaml', import.meta.url));
const ACTIONS = DOKUWIKI_ACTIONS;
/** The actions only Olio has (Login is in both). */
const OLIO_ONLY = OLIO_ACTIONS.filter((action) => !ACTIONS.includes(action));
const PAGES = 20;

// The example, shortened: 4 users with short think times (the profile's 5 s cycle would need
// minutes to show every action), 20 s of steady state, one migration 5 s in, 4-second windows.
const RUN = `${testbedPoolDocuments()}---
apiVersion: migrascope.io/v1alpha1
kind: MigrationExperiment
metadata: {name: dokuwiki-short}
spec:
  poolRef: {name: testbed}
  target:
    vm: {nameLabel: web}
    applicationUrl: http://web.testbed.local/
    probeUrl: http://web.testbed.local/lib/tpl/dokuwiki/images/logo.png
  workload:
    profileRef: {name: dokuwiki}
    params: {pages: ${PAGES}}
    users: 4
    thinkTime: {mean: 500ms}
    rampUp: 2s
    steadyState: 20s
    rampDown: 1s
  sla:
    window: 4s
    step: 1s
    percentiles: [90, 99]
    thresholds: {ViewPage: 1s, Search: 2s, EditPage: 3s}
    defaultThreshold: 2s
  migrations: {offsets: [5s], timeout: 1m}
`;

interface Status {
  phase: string;
  conditions: { type: string; message: string }[];
  profile: { kind: string; name: string; actions: string[] };
  runs: {
    state: string;
    migrations: { state: string; source?: string; destination?: string; durationSeconds?: number; downtimeSeconds?: number; modelDowntimeSeconds?: number }[];
    actions: { action: string; count: number; errors: number; thresholdSeconds: number; percentiles: { percentile: number; maxSeconds?: number }[] }[];
  }[];
}

let wiki: DokuWiki;
let dir: string;
let stdout: string;
let status: Status;

beforeAll(async () => {
  dir = await temporaryDirectory('dokuwiki-run');
  wiki = await startDokuWiki({ pages: PAGES });
  await writeFile(join(dir, 'topology.yaml'), stringify(dokuWikiTopology(wiki)));
  await writeFile(join(dir, 'run.yaml'), RUN);
  const args = ['run', join(dir, 'run.yaml'), PROFILE, '--testbed', '--testbed-config', join(dir, 'topology.yaml'), '--results-dir', join(dir, 'results'), '--json', join(dir, 'status.json'), '--no-progress'];
  const done = await run(BIN, args, { env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'warn' }, timeout: 180_000 }).catch(async (error: { code?: number; stdout?: string; stderr?: string }) => {
    throw new Error(`migrascope run exited ${error.code}:\n${error.stdout}\n${error.stderr}\n${await wiki.logs()}`);
  });
  stdout = done.stdout;
  status = (JSON.parse(await readFile(join(dir, 'status.json'), 'utf8')) as { experiments: { status: Status }[] }).experiments[0]!.status;
}, 300_000);

afterAll(async () => {
  await wiki?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Given DokuWiki behind the testbed\'s web VM, its shipped WorkloadProfile and a short experiment with one migration', () => {
  it('When `migrascope run --testbed` runs them, Then the experiment succeeds on the profile it names', () => {
    expect(status.phase, JSON.stringify(status.conditions)).toBe('Succeeded');
    expect(stdout).toMatch(/dokuwiki-short: Succeeded \(1 run\(s\)\)/);
    expect(status.profile).toEqual({ kind: 'WorkloadProfile', name: 'dokuwiki', actions: ACTIONS });
  });

  it('Then each of the five actions is performed and judged by its threshold, with no error, and no Olio action appears', () => {
    const actions = status.runs[0]!.actions;
    expect(actions.map((a) => [a.action, a.thresholdSeconds])).toEqual(EXAMPLE_THRESHOLD_SECONDS);
    for (const action of actions) {
      expect(action.count, action.action).toBeGreaterThan(0);
      // The guest drops nothing while frozen: the stall is slowness, never a failure.
      expect(action.errors, action.action).toBe(0);
      // Judged: a completed window gave each percentile a value.
      expect(action.percentiles.map((p) => p.percentile)).toEqual([90, 99]);
      for (const percentile of action.percentiles) expect(percentile.maxSeconds, `${action.action} p${percentile.percentile}`).toBeGreaterThan(0);
    }
    for (const action of ACTIONS) expect(stdout).toMatch(new RegExp(`^\\s*${action}\\s+\\d+\\s+0\\s`, 'm'));
    const everything = stdout + JSON.stringify(status);
    for (const olio of OLIO_ONLY) expect(everything).not.toContain(olio);
  });

  it('Then the migration is recorded, from a to b, with the downtime the clients saw', () => {
    const migrations = status.runs[0]!.migrations;
    expect(migrations).toHaveLength(1);
    const migration = migrations[0]!;
    expect(migration).toMatchObject({ state: 'Succeeded', source: 'a', destination: 'b' });
    expect(migration.durationSeconds).toBeGreaterThan(migration.downtimeSeconds ?? Infinity);
    // About 1.1 s by the model; the clients (the probe, the gaps in completions) see most of it at
    // least, and never more than the whole migration.
    expect(migration.modelDowntimeSeconds).toBeGreaterThan(0.8);
    expect(migration.downtimeSeconds).toBeGreaterThan(0.7 * migration.modelDowntimeSeconds!);
  });
});
