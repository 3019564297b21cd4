// Several VMs per migration (migrations.vms), end to end on real Redis and the testbed: the web
// and the db VM at once (a host's evacuation), whose copies share the destination's link, and in
// sequence, the db's migration starting when the web's ended. The reference app's data is the db
// VM's guest, so the db's pause stalls the actions (they all query it) and the probe's health
// check. Each migration is recorded with its own times and downtime; the testbed's own reports
// say what the links really gave each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationResult } from '../../src/api/v1alpha1/index.ts';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import { precopyInputFor } from '../../src/testbed/config.ts';
import { hostNotEnoughFreeMemory } from '../../src/testbed/xapi/errors.ts';
import { predictPreCopy } from '../../src/testbed/precopy-model.ts';
import { engineTopology, shortExperiment, startEngineHarness, type EngineHarness } from '../support/engine.ts';

// The db VM: twice the web's memory, so its first round outlasts the web's whole pre-copy; its
// guest is the reference app's database, which the web's app queries through the db VM's proxy.
const DB_VM = {
  name: 'db',
  memory: '384MiB',
  vcpus: 1,
  host: 'h2',
  dirtyRate: '10MB/s',
  wws: '8MiB',
  model: { setup: '200ms', resumeOverhead: '500ms' },
  guest: { app: 'reference-db', scale: 500, seed: 7 },
  warmup: { penalty: '0ms', decay: '1s' },
};
const topology = engineTopology(3, { vms: [DB_VM], webGuest: { app: 'reference', database: 'db' } });

/** The model's prediction for `vm` migrating alone from `source` to `destination`. */
function alone(vm: string, source: string, destination: string) {
  const host = (name: string) => topology.hosts.find((h) => h.name === name)!;
  return predictPreCopy(precopyInputFor(topology, topology.vms.find((v) => v.name === vm)!, host(source), host(destination)));
}

describe('given a testbed pool with a web and a db VM, a local Redis and in-process workers', () => {
  let harness: EngineHarness;

  beforeAll(async () => {
    harness = await startEngineHarness({ topology });
  });
  afterAll(async () => harness?.close());

  /** The run's migrations, and the slowest action that started in each second (epoch s -> ms). */
  async function run(name: string, migrations: object, steady = '13s'): Promise<{ phase?: string; offsets?: string[]; recorded: MigrationResult[]; slowest: Map<number, number> }> {
    // 20 users (about 40 actions a second): some action is sure to start early in a half-second pause.
    const experiment = shortExperiment(harness, { name, users: 20, steady, migrations });
    const slowest = new Map<number, number>();
    const status = await new ExperimentRunner(experiment, { uid: `exp-${name}`, namespace: 'test', name }, harness.deps, {
      onRunFinished: (_run, outcome) => {
        for (const second of outcome.seconds) {
          const ms = Math.max(0, ...Object.values(second.actions).map((action) => action.histogram.maxValue / 1000));
          slowest.set(second.second, ms);
        }
      },
    }).run();
    return { phase: status.phase, offsets: status.migrationOffsets, recorded: status.runs?.[0]?.migrations ?? [], slowest };
  }

  it('when both migrate together to one host, then each is recorded on its own and both are slower than alone, by the equal shares of that link', async () => {
    harness.migrations.length = 0;
    const { phase, offsets, recorded } = await run('together', { offsets: ['3s'], vms: [{ nameLabel: 'web' }, { nameLabel: 'db' }], mode: 'together', destination: { policy: 'host', host: 'h3' }, timeout: '1m' });

    expect(phase).toBe('Succeeded');
    expect(offsets).toEqual(['3s']);
    expect(recorded.map((m) => [m.index, m.vm, m.state, m.source, m.destination])).toEqual([
      [1, 'web', 'Succeeded', 'h1', 'h3'],
      [2, 'db', 'Succeeded', 'h2', 'h3'],
    ]);
    for (const migration of recorded) {
      expect(migration.startTime).toBeDefined();
      expect(migration.downtimeSeconds).toBeGreaterThan(0);
      expect(migration.modelDowntimeSeconds).toBeGreaterThan(0);
    }
    const web = harness.migrations.find((m) => m.vm === 'web')!;
    const db = harness.migrations.find((m) => m.vm === 'db')!;
    // They overlapped: each started before the other ended.
    expect(web.timeline.startedAt).toBeLessThan(db.timeline.endedAt);
    expect(db.timeline.startedAt).toBeLessThan(web.timeline.endedAt);

    // h3's link (1 Gbit/s) is split in two while both copy: the web's first round, all of its
    // memory, goes at half the rate, so it takes about twice as long as alone (a little less, as
    // the two jobs start a few milliseconds apart); the db has h3 to itself once the web is through.
    const webAlone = alone('web', 'h1', 'h3');
    const dbAlone = alone('db', 'h2', 'h3');
    const webFirst = web.prediction.rounds[0]!.seconds / webAlone.rounds[0]!.seconds;
    expect(webFirst).toBeGreaterThan(1.7);
    expect(webFirst).toBeLessThanOrEqual(2.001);
    expect(db.prediction.rounds[0]!.seconds).toBeGreaterThan(dbAlone.rounds[0]!.seconds * 1.3);
    expect(db.prediction.rounds[0]!.seconds).toBeLessThan(dbAlone.rounds[0]!.seconds * 1.55);
    // What status says the model did is what the testbed did, slower than alone for both.
    const [webResult, dbResult] = recorded;
    expect(webResult?.modelDurationSeconds).toBeCloseTo(web.prediction.totalSeconds, 3);
    expect(dbResult?.modelDurationSeconds).toBeCloseTo(db.prediction.totalSeconds, 3);
    expect(web.prediction.totalSeconds).toBeGreaterThan(webAlone.totalSeconds * 1.5);
    expect(db.prediction.totalSeconds).toBeGreaterThan(dbAlone.totalSeconds * 1.2);
  });

  it("when they migrate in sequence, then the db starts once the web has ended, each moves as fast as alone, and the db's pause is the downtime the actions saw", async () => {
    harness.migrations.length = 0;
    const { phase, recorded, slowest } = await run('sequence', { offsets: ['3s'], vms: [{ nameLabel: 'web' }, { nameLabel: 'db' }], mode: 'sequence', destination: { policy: 'roundRobin' }, timeout: '1m' });

    expect(phase).toBe('Succeeded');
    expect(recorded.map((m) => [m.vm, m.state])).toEqual([
      ['web', 'Succeeded'],
      ['db', 'Succeeded'],
    ]);
    const [web, db] = harness.migrations;
    expect([web?.vm, db?.vm]).toEqual(['web', 'db']);
    expect(db!.timeline.startedAt).toBeGreaterThanOrEqual(web!.timeline.endedAt);
    expect(Date.parse(recorded[1]!.startTime!)).toBeGreaterThanOrEqual(Date.parse(recorded[0]!.endTime!));
    expect(web!.prediction).toEqual(alone('web', web!.source, web!.destination));
    expect(db!.prediction).toEqual(alone('db', db!.source, db!.destination));

    // The db VM's downtime, as the probe (the app's health check, which pings its data) saw it:
    // the db guest's pause, within 150 ms.
    const dbDowntime = db!.prediction.downtimeSeconds;
    expect(Math.abs((recorded[1]?.downtimeSeconds ?? 0) - dbDowntime)).toBeLessThan(0.15);
    // The actions, which all query the data, waited out the pause: the slowest of those that
    // started in the seconds around it took most of the downtime; before the migrations, none did.
    const { frozenAt = 0, resumedAt = 0 } = db!.timeline;
    const around = [...slowest].filter(([second]) => second * 1000 >= frozenAt - 1000 && second * 1000 < resumedAt);
    expect(Math.max(...around.map(([, ms]) => ms))).toBeGreaterThan(dbDowntime * 1000 * 0.5);
    const before = [...slowest].filter(([second]) => (second + 1) * 1000 < web!.timeline.startedAt);
    expect(before.length).toBeGreaterThan(2);
    expect(Math.max(...before.map(([, ms]) => ms))).toBeLessThan(dbDowntime * 1000 * 0.5);
  });

  it('when the first of a sequence is refused by XAPI, then the run fails and the next is cancelled, never started', async () => {
    harness.migrations.length = 0;
    harness.testbed.faults.failNext('VM.pool_migrate', () => hostNotEnoughFreeMemory(2 * 1024 ** 3, 256 * 1024 ** 2));
    const { phase, recorded } = await run('sequence-refused', { offsets: ['2s'], vms: [{ nameLabel: 'web' }, { nameLabel: 'db' }], timeout: '1m' }, '6s');

    expect(phase).toBe('Failed');
    expect(recorded.map((m) => [m.vm, m.state])).toEqual([
      ['web', 'Failed'],
      ['db', 'Cancelled'],
    ]);
    expect(recorded[1]?.message).toBe('not started: migration 1, before it in sequence, ended Failed');
    expect(harness.migrations).toEqual([]);
  });
});
