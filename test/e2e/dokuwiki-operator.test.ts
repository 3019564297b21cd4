// DokuWiki through the operator on a real kube-apiserver: the testbed's web VM fronts a private
// DokuWiki, the shipped WorkloadProfile (examples/dokuwiki/workloadprofile.yaml) is applied as it
// is, and an experiment made from examples/dokuwiki/experiment.yaml (shortened, pointed at the
// testbed) runs on it with one live migration. The profile is Ready with its five actions; the
// experiment Succeeds on the generation it names, judging exactly those actions with no error,
// records the migration with the downtime the clients saw, and keeps the request log the example
// asks for (in a results directory nobody made beforehand, as on a fresh worker).
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { parseTopology } from '../../src/testbed/index.ts';
import { DOKUWIKI_ACTIONS, EXAMPLE_THRESHOLD_SECONDS, dokuWikiTopology, startDokuWiki, type DokuWiki } from '../support/dokuwiki.ts';
import { at, condition, startClusterHarness, type ClusterHarness, type Json } from './controller-cluster.ts';

vi.setConfig({ testTimeout: 240_000 });

const example = (file: string): Json => parse(readFileSync(fileURLToPath(new URL(`../../examples/dokuwiki/${file}`, import.meta.url)), 'utf8')) as Json;
const ACTIONS = DOKUWIKI_ACTIONS;
const PAGES = 20;

let wiki: DokuWiki;
let harness: ClusterHarness;

beforeAll(async () => {
  wiki = await startDokuWiki({ pages: PAGES });
  harness = await startClusterHarness({ topology: parseTopology(dokuWikiTopology(wiki)) });
  await harness.startController();
}, 600_000);

afterAll(async () => {
  await harness?.close();
  await wiki?.stop();
});

/** The shipped experiment, shortened and pointed at the testbed: what differs is said here. */
function shortenedExample(name: string): Json {
  const shipped = example('experiment.yaml');
  const spec = shipped.spec as Json;
  const web = harness.testbed.vms.find((vm) => vm.name === 'web')?.url;
  if (!web) throw new Error('the testbed has no web VM fronting the wiki');
  return {
    metadata: { name },
    spec: {
      ...spec,
      poolRef: { name: 'pool' },
      target: { vm: { nameLabel: 'web' }, applicationUrl: web, probeUrl: `${web}/lib/tpl/dokuwiki/images/logo.png` },
      // A few users with short think times (the profile's 5 s cycle would need minutes to show
      // every action), 20 s of steady state.
      workload: { ...(spec.workload as Json), params: { ...((spec.workload as Json).params as Json), pages: PAGES }, users: 4, thinkTime: { mean: '500ms' }, rampUp: '2s', steadyState: '20s', rampDown: '1s' },
      sla: { ...(spec.sla as Json), window: '4s' },
      migrations: { offsets: ['5s'], destination: { policy: 'roundRobin' }, timeout: '1m' },
      repetitions: 1,
    },
  };
}

describe('Given the testbed fronting DokuWiki and the shipped WorkloadProfile applied', () => {
  let profile: Json;

  beforeAll(async () => {
    const shipped = example('workloadprofile.yaml');
    expect(at(shipped, 'metadata', 'namespace')).toBeUndefined();
    await harness.create('WorkloadProfile', shipped);
    profile = await harness.eventually('the profile Ready', async () => {
      const read = await harness.get('WorkloadProfile', 'dokuwiki');
      return condition(read, 'Ready')?.status === 'True' ? read : undefined;
    });
  });

  it('then the controller compiles it: Ready, with its five actions and its matrix', () => {
    expect(profile.status).toMatchObject({ observedGeneration: 1, actions: ACTIONS, chain: 'matrix' });
  });

  it('when the example experiment runs on it with one migration, then it Succeeds judging exactly those actions, none failing, and sees the downtime', async () => {
    await harness.create('MigrationExperiment', shortenedExample('dokuwiki-short'));
    const done = await harness.eventually('the experiment finished', async () => {
      const read = await harness.get('MigrationExperiment', 'dokuwiki-short');
      return ['Succeeded', 'Failed', 'Aborted'].includes(String(at(read, 'status', 'phase'))) ? read : undefined;
    }, 180_000);
    expect(at(done, 'status', 'phase'), JSON.stringify(at(done, 'status', 'conditions'))).toBe('Succeeded');
    expect(at(done, 'status', 'profile')).toMatchObject({ kind: 'WorkloadProfile', name: 'dokuwiki', generation: 1, actions: ACTIONS });

    const actions = at(done, 'status', 'runs', 0, 'actions') as { action: string; count: number; errors: number; thresholdSeconds: number }[];
    expect(actions.map((a) => [a.action, a.thresholdSeconds])).toEqual(EXAMPLE_THRESHOLD_SECONDS);
    for (const action of actions) {
      expect(action.count, action.action).toBeGreaterThan(0);
      // The guest freezes during stop-and-copy and drops nothing: the stall is never a failure.
      expect(action.errors, action.action).toBe(0);
    }

    const migrations = at(done, 'status', 'runs', 0, 'migrations') as { state: string; source?: string; destination?: string; durationSeconds?: number; downtimeSeconds?: number; modelDowntimeSeconds?: number }[];
    expect(migrations).toHaveLength(1);
    expect(migrations[0]).toMatchObject({ state: 'Succeeded', source: 'a', destination: 'b' });
    expect(migrations[0]!.downtimeSeconds).toBeGreaterThan(0.7 * migrations[0]!.modelDowntimeSeconds!);
    expect(migrations[0]!.durationSeconds).toBeGreaterThan(migrations[0]!.downtimeSeconds!);
    expect(harness.migrations).toHaveLength(1);
    expect(at(done, 'status', 'summary', 'migrations')).toBe(1);

    // record.requestLog, as the example sets it: the load worker made the results directory.
    const results = join(harness.redis.dataDir, 'results');
    expect(at(done, 'status', 'runs', 0, 'requestLog')).toBe(join(results, 'dokuwiki-short-run1-shard*.jsonl'));
    // Beside it, the namespace's directory of results files: the experiment's, kept before any TTL.
    // The controller writes it on the reconcile that follows the finish, so it may still be on its
    // way (a `.partial` first) when the status says Succeeded.
    const kept = await harness.eventually('the results file kept', async () => {
      const listed = await readdir(join(results, harness.namespace));
      return listed.some((file) => file.endsWith('.partial')) ? undefined : listed;
    }, 30_000);
    expect(kept).toEqual(['dokuwiki-short.results.json.gz']);
    expect(await readdir(results)).toEqual(['dokuwiki-short-run1-shard0.jsonl', harness.namespace]);
  });
});
