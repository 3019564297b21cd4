// Olio's AddPerson as the engine runs it: two shards of a run in one process (the in-process
// workers), through the guest proxy while a migration slows and freezes it over and over. Every
// post must create its person: a repeated username is a "taken" 400, and a body the proxy lost or
// reordered bytes of is a 400 naming the field busboy could not read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad, type LoadResult } from '../../src/load/index.ts';
import { startReferenceApp, type ReferenceApp } from '../../src/testbed/app/index.ts';
import { GuestProxy } from '../../src/testbed/guest-proxy.ts';
import { compileProfile, olioProfileDocument, parseProfileDocument, type Profile } from '../../src/workloads/index.ts';

const SCALE = 20;

/** The Olio profile reduced to AddPerson after AddPerson, without its logout (nobody logs in). */
function addPersonProfile(): Profile {
  const olio = olioProfileDocument({ scale: SCALE });
  const addPerson = olio.actions.find((action) => action.name === 'AddPerson');
  if (!addPerson) throw new Error('the Olio profile has no AddPerson action');
  return compileProfile(
    parseProfileDocument(
      {
        ...olio,
        sessionVars: [],
        start: 'AddPerson',
        matrix: { AddPerson: [1] },
        think: { distribution: 'negexp', mode: 'think', mean: '20ms', max: '100ms' },
        actions: [{ ...addPerson, requests: addPerson.requests.filter((request) => request.path !== '/logout.php') }],
      },
      'the AddPerson profile',
    ),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Given the reference app behind a guest proxy that a migration keeps slowing and freezing', () => {
  let app: ReferenceApp;
  let proxy: GuestProxy;
  let shards: LoadResult[];
  let cycles = 0;

  beforeAll(async () => {
    app = await startReferenceApp({ scale: SCALE, seed: 5 });
    proxy = await GuestProxy.start({ target: { host: '127.0.0.1', port: app.port }, precopySlowdown: 3, warmupPenaltyMs: 20, warmupDecayMs: 200 });
    let migrating = true;
    const migrations = (async () => {
      while (migrating) {
        proxy.enterPrecopy();
        await sleep(15);
        proxy.freeze();
        await sleep(10);
        proxy.resume();
        await sleep(15);
        cycles += 1;
      }
    })();
    const profile = addPersonProfile();
    const plan = { rampUpMs: 0, steadyMs: 3000, rampDownMs: 0 };
    try {
      shards = await Promise.all([0, 1].map((shard) => runLoad({ url: proxy.url, profile, users: 5, plan, seed: 41 + shard })));
    } finally {
      migrating = false;
      await migrations;
      proxy.resume();
    }
  });

  afterAll(async () => {
    await proxy?.close();
    await app?.close();
  });

  describe('When two shards in one process post new people for 3 s', () => {
    it('Then every post creates its person: no username repeats and no body arrives damaged', () => {
      expect(cycles).toBeGreaterThan(0);
      for (const [shard, result] of shards.entries()) {
        const steady = result.phases.steady;
        expect(steady.actions, `shard ${shard} actions`).toBeGreaterThan(0);
        expect(steady.errors, `shard ${shard}: ${result.failureSamples['AddPerson']?.join('; ')}`).toBe(0);
      }
    });
  });
});
