// XAPI misbehaving while the engine migrates the web VM: the connection cut mid-migration, the
// session forgotten, and XAPI's refusals (HOST_NOT_ENOUGH_FREE_MEMORY, VM_BAD_POWER_STATE,
// OTHER_OPERATION_IN_PROGRESS) with the parameters real XAPI sends. Whole experiments on real
// parts: the testbed's XAPI (its fault plan, src/testbed/xapi/faults.ts), the reference app, a
// local Redis and in-process workers. What must hold: retried where safe, failed with XAPI's
// reason otherwise, and never migrated twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationExperimentStatus } from '../../src/api/v1alpha1/index.ts';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import { performMigration } from '../../src/engine/migration-worker.ts';
import { testbedPoolResolver } from '../../src/local/testbed-binding.ts';
import { createLogger } from '../../src/log/index.ts';
import { RunKeys } from '../../src/queue/run-keys.ts';
import type { MigrationReport, PlannedFailure } from '../../src/testbed/index.ts';
import { hostNotEnoughFreeMemory, otherOperationInProgress, sessionInvalid, vmBadPowerState } from '../../src/testbed/xapi/errors.ts';
import { newRef } from '../../src/testbed/xapi/store.ts';
import { shortExperiment, startEngineHarness, type EngineHarness } from '../support/engine.ts';
import { recordFault } from './reliability.ts';

const MIGRATE = 'VM.pool_migrate';
const RAMP_SECONDS = 3 + 2;

describe('given an experiment migrating the web VM through the testbed XAPI', () => {
  let harness: EngineHarness;
  const migrations: MigrationReport[] = [];
  /** When the testbed ended each migration (epoch ms), in order. */
  const endedAt: number[] = [];

  beforeAll(async () => {
    harness = await startEngineHarness();
    harness.testbed.migrations.on('migration', (report) => {
      migrations.push(report);
      endedAt.push(Date.now());
    });
  });
  afterAll(async () => harness?.close());

  /** Runs an experiment (one migration 2 s into `steady`) and says what XAPI and the pool saw of it. */
  async function run(name: string, steadySeconds = 8) {
    const experiment = shortExperiment(harness, {
      name,
      users: 10,
      steady: `${steadySeconds}s`,
      migrations: { offsets: ['2s'], destination: { policy: 'roundRobin' }, timeout: '1m' },
    });
    const ref = { uid: `exp-${name}`, namespace: 'test', name };
    const asked = harness.testbed.faults.calls(MIGRATE);
    const done = migrations.length;
    const status: MigrationExperimentStatus = await new ExperimentRunner(experiment, ref, harness.deps).run();
    const seconds = { recorded: await recordedSeconds(ref), expected: steadySeconds + RAMP_SECONDS };
    return {
      status,
      migration: status.runs?.[0]?.migrations?.[0],
      asked: harness.testbed.faults.calls(MIGRATE) - asked,
      done: migrations.slice(done),
      seconds,
    };
  }

  /** Distinct seconds the load workers delivered to the run's stream. */
  async function recordedSeconds(ref: { uid: string; namespace: string; name: string }): Promise<number> {
    const entries = await harness.client.xrange(new RunKeys(harness.prefix, ref, 1).seconds, '-', '+');
    const seconds = new Set<string>();
    for (const [, fields] of entries) {
      const at = fields.indexOf('second');
      if (at >= 0 && fields.includes('data')) seconds.add(fields[at + 1]!);
    }
    return seconds.size;
  }

  /** Once the testbed says the migration's pre-copy began (the Async task exists by then), `fault` happens. */
  function duringNextMigration(fault: () => Promise<void> | void): Promise<void> {
    return new Promise((resolve, reject) => {
      harness.testbed.migrations.once('phase', () => {
        Promise.resolve(fault()).then(resolve, reject);
      });
    });
  }

  it('when the XAPI connection is cut mid-migration for 4 s, then the engine reconnects and follows the same task: one request, one migration', async () => {
    let backAt = 0;
    const cut = duringNextMigration(async () => {
      await harness.testbed.faults.cutConnections(4_000);
      backAt = Date.now();
    });
    const outcome = await run('xapi-cut');
    await cut;

    // The migration ended while XAPI was unreachable: the engine learnt its end only by reconnecting.
    expect(endedAt.at(-1)).toBeLessThan(backAt);
    expect(outcome.status.phase).toBe('Succeeded');
    expect(outcome.migration?.state).toBe('Succeeded');
    expect(outcome.asked).toBe(1);
    expect(outcome.done).toHaveLength(1);
    expect(outcome.migration?.destination).toBe(outcome.done[0]?.destination);
    expect(outcome.seconds.recorded).toBeGreaterThanOrEqual(outcome.seconds.expected - 1);
    recordFault({
      case: 'XAPI connection cut for 4 s mid-migration',
      outcome: 'completed; the same task followed after reconnecting, pool_migrate not asked again',
      seconds: outcome.seconds,
      migrations: { requested: outcome.asked, done: outcome.done.length },
    });
  });

  it('when XAPI forgets the session mid-migration (SESSION_INVALID), then the client logs in again and follows the same task', async () => {
    let loginsBefore = 0;
    const forgotten = duringNextMigration(() => {
      loginsBefore = harness.testbed.faults.calls('session.login_with_password');
      harness.testbed.faults.forgetSessions();
    });
    const outcome = await run('xapi-session-lost');
    await forgotten;

    expect(harness.testbed.faults.calls('session.login_with_password')).toBeGreaterThan(loginsBefore);
    expect(outcome.status.phase).toBe('Succeeded');
    expect(outcome.migration?.state).toBe('Succeeded');
    expect(outcome.asked).toBe(1);
    expect(outcome.done).toHaveLength(1);
    recordFault({
      case: 'XAPI answers SESSION_INVALID mid-migration',
      outcome: 'completed; logged in again, the same task followed',
      seconds: outcome.seconds,
      migrations: { requested: outcome.asked, done: outcome.done.length },
    });
  });

  it('when XAPI answers SESSION_INVALID to VM.pool_migrate itself, then the client logs in again and asks once more (no task existed): one migration', async () => {
    harness.testbed.faults.failNext(MIGRATE, sessionInvalid(''));
    const outcome = await run('xapi-session-refused');

    expect(outcome.status.phase).toBe('Succeeded');
    expect(outcome.migration?.state).toBe('Succeeded');
    // The refused request never reached the migration (XAPI checks the session before making a task).
    expect(outcome.asked).toBe(2);
    expect(outcome.done).toHaveLength(1);
    recordFault({
      case: 'XAPI answers SESSION_INVALID to VM.pool_migrate',
      outcome: 'completed; logged in again and asked again (the refused call made no task)',
      seconds: outcome.seconds,
      migrations: { requested: 1, done: outcome.done.length },
    });
  });

  it('when the VM is busy with another operation twice (OTHER_OPERATION_IN_PROGRESS), then the engine waits and asks again, and migrates once', async () => {
    const busy: PlannedFailure = ([vm]) => otherOperationInProgress('VM', String(vm), 'clean_reboot', newRef());
    harness.testbed.faults.failNext(MIGRATE, busy, 2);
    const started = Date.now();
    const outcome = await run('xapi-busy', 14);

    expect(outcome.status.phase).toBe('Succeeded');
    expect(outcome.migration?.state).toBe('Succeeded');
    expect(outcome.asked).toBe(3);
    expect(outcome.done).toHaveLength(1);
    // Backing off: 2 s, then 4 s, before the third request.
    expect(Date.parse(outcome.migration?.startTime ?? '') - started).toBeGreaterThan(6_000);
    recordFault({
      case: 'XAPI answers OTHER_OPERATION_IN_PROGRESS twice',
      outcome: 'completed; asked again after 2 s and 4 s, migrated on the third request',
      seconds: outcome.seconds,
      migrations: { requested: 1, done: outcome.done.length },
    });
  });

  it('when the VM stays busy past the bound (OTHER_OPERATION_IN_PROGRESS every time), then the migration worker gives up after its last request, saying so with the code', async () => {
    const busy: PlannedFailure = ([vm]) => otherOperationInProgress('VM', String(vm), 'clean_reboot', newRef());
    harness.testbed.faults.failNext(MIGRATE, busy, 3);
    const asked = harness.testbed.faults.calls(MIGRATE);
    const done = migrations.length;
    const web = harness.testbed.vms.find((vm) => vm.name === 'web');
    const started = Date.now();
    const outcome = await performMigration(
      {
        experiment: { uid: 'exp-xapi-busy-long', namespace: 'test', name: 'xapi-busy-long' },
        run: 1,
        index: 1,
        pool: { namespace: 'test', name: 'pool' },
        vm: 'web',
        destination: { kind: 'roundRobin' },
        dueAtMs: started,
        offsetMs: 0,
        timeoutMs: 60_000,
        probeUrl: `${web?.url ?? ''}/healthz`,
      },
      'attempt-1',
      {
        redis: harness.client,
        prefix: harness.prefix,
        resolvePool: testbedPoolResolver(harness.testbed),
        log: createLogger({ level: 'silent' }),
        probeTailMs: 0,
        busyRetry: { attempts: 3, firstDelayMs: 200 },
      },
    );

    expect(outcome.state).toBe('Failed');
    expect(outcome.message).toMatch(/VM web is busy with clean_reboot; wait for it to finish and try again \(asked 3 times; the VM stayed busy\) \(XAPI OTHER_OPERATION_IN_PROGRESS\)$/);
    expect(harness.testbed.faults.calls(MIGRATE) - asked).toBe(3);
    expect(migrations.length - done).toBe(0);
    // Backing off 200 ms, then 400 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    recordFault({
      case: 'XAPI answers OTHER_OPERATION_IN_PROGRESS past the retry bound',
      outcome: 'Failed after the last request, naming OTHER_OPERATION_IN_PROGRESS',
      seconds: null,
      migrations: { requested: 1, done: migrations.length - done },
    });
  });

  it.each([
    {
      code: 'HOST_NOT_ENOUGH_FREE_MEMORY',
      failure: (() => hostNotEnoughFreeMemory(2 * 1024 ** 3, 256 * 1024 ** 2)) as PlannedFailure,
      words: /host h\d has 256\.00 MiB free but VM web needs 2\.00 GiB; choose another destination/,
    },
    {
      code: 'VM_BAD_POWER_STATE',
      failure: (([vm]) => vmBadPowerState(String(vm), ['Running'], 'Paused')) as PlannedFailure,
      words: /VM web is paused but must be running to be live-migrated; resume it first/,
    },
  ])('when XAPI refuses the migration with $code, then the experiment fails naming the error, asked once, nothing migrated', async ({ code, failure, words }) => {
    harness.testbed.faults.failNext(MIGRATE, failure);
    const outcome = await run(`xapi-${code.toLowerCase().replace(/_/g, '-')}`);

    expect(outcome.status.phase).toBe('Failed');
    expect(outcome.migration?.state).toBe('Failed');
    expect(outcome.migration?.message).toMatch(words);
    expect(outcome.migration?.message).toContain(`(XAPI ${code})`);
    const ready = outcome.status.conditions?.find((condition) => condition.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'MigrationFailed' });
    expect(ready?.message).toContain(code);
    expect(outcome.asked).toBe(1);
    expect(outcome.done).toHaveLength(0);
    // The load ran its course: the failure is the migration's, not the measurement's.
    expect(outcome.seconds.recorded).toBeGreaterThanOrEqual(outcome.seconds.expected - 1);
    recordFault({
      case: `XAPI refuses the migration with ${code}`,
      outcome: `Failed, reason MigrationFailed naming ${code}; not retried`,
      seconds: outcome.seconds,
      migrations: { requested: outcome.asked, done: outcome.done.length },
    });
  });
});
