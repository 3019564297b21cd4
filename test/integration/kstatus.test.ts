// What Flux and kpt, and Argo CD, make of our resources: the status the controller writes, fed
// to the real kstatus library (sigs.k8s.io/cli-utils pkg/kstatus, built as
// test/controlplane/cmd/kstatus by scripts/controlplane.sh) and to the Lua health checks we ship
// for Argo CD (deploy/argocd/argocd-cm.yaml, run on Argo CD's interpreter by
// test/controlplane/cmd/argocd-health). InProgress / Progressing while work is under way,
// Current / Healthy when done, Failed / Degraded when failed or invalid, for all four kinds; the
// statuses come from the same pure functions the reconcilers and the engine call.
import { describe, expect, it } from 'vitest';
import { campaign as campaignCase, experiment as experimentCase, workloadProfile as profileCase, xenPool as poolCase, withField } from '../../src/api/testing/cases.ts';
import { parseCampaign, type Condition, type MigrationExperimentStatus } from '../../src/api/v1alpha1/index.ts';
import { campaignStatus, planCampaign } from '../../src/controller/campaign-plan.ts';
import { PoolReferenceError } from '../../src/controller/cluster-pool-credentials.ts';
import { pendingConditions, specChangeCondition, withSpecChange } from '../../src/controller/experiment-lifecycle.ts';
import { poolConditions, profileConditions, unreachableKind } from '../../src/controller/resource-conditions.ts';
import { experimentConditions, type ExperimentState } from '../../src/engine/conditions.ts';
import { XapiAuthenticationError, XapiUnreachableError } from '../../src/xen/index.ts';
import { argocdHealth } from '../support/argocd-health.ts';
import { kstatus, type KstatusVerdict } from '../support/kstatus.ts';

type Json = Record<string, unknown>;

/** How Argo CD should show what kstatus reads: the two must never disagree. */
const ARGOCD_OF = { InProgress: 'Progressing', Current: 'Healthy', Failed: 'Degraded' } as const;

/** kstatus's and Argo CD's readings of the objects, checked against the expected kstatus statuses. */
async function readAs(objects: readonly Json[], expected: readonly (keyof typeof ARGOCD_OF)[]): Promise<{ verdicts: KstatusVerdict[]; messages: (string | undefined)[] }> {
  const [verdicts, health] = await Promise.all([kstatus(objects), argocdHealth(objects)]);
  expect(verdicts.map((v) => v.status)).toEqual(expected);
  expect(health.map((h) => h.error ?? h.status)).toEqual(expected.map((status) => ARGOCD_OF[status]));
  return { verdicts, messages: health.map((h) => h.message) };
}

function withStatus(object: Json, generation: number, status: Json): Json {
  const metadata = { ...(object.metadata as Json), generation };
  return { ...object, metadata, status };
}

const experimentAt = (state: Omit<ExperimentState, 'generation'>, phase: string, generation = 1, observed = generation): Json =>
  withStatus(experimentCase(), generation, { phase, observedGeneration: observed, conditions: experimentConditions([], { ...state, generation: observed }) });

describe('Given a MigrationExperiment at each phase', () => {
  it('then kstatus reads InProgress while it starts and runs, Current when it succeeded, Failed when it failed, was aborted or cannot start, and Argo CD Progressing, Healthy, Degraded with the phase and why', async () => {
    const cases: [keyof typeof ARGOCD_OF, Json][] = [
      ['InProgress', withStatus(experimentCase(), 1, { phase: 'Pending', observedGeneration: 1, conditions: pendingConditions([], 1, undefined) })],
      ['InProgress', experimentAt({ kind: 'progressing', reason: 'RampUp', message: 'run 1 of 1: ramping up' }, 'RampUp')],
      ['InProgress', experimentAt({ kind: 'progressing', reason: 'Migrating', message: 'run 1 of 1: migration 1 of 1' }, 'Migrating')],
      ['Current', experimentAt({ kind: 'succeeded', reason: 'Succeeded', message: 'the SLA held' }, 'Succeeded')],
      ['Failed', experimentAt({ kind: 'aborted', reason: 'SlaViolated', message: 'stopped: the p99 SLA broke' }, 'Aborted')],
      ['Failed', experimentAt({ kind: 'failed', reason: 'MigrationFailed', message: 'host full' }, 'Failed')],
      ['Failed', experimentAt({ kind: 'failed', reason: 'InvalidSpec', message: 'spec.load.users: too many' }, 'Pending')],
      [
        'Failed',
        withStatus(experimentCase(), 1, {
          phase: 'Pending',
          observedGeneration: 1,
          conditions: pendingConditions([], 1, { reason: 'PoolNotFound', field: 'spec.poolRef.name', message: 'no XenPool "lab"' }),
        }),
      ],
      // The controller has not seen generation 2 yet: whatever the conditions say, wait.
      ['InProgress', experimentAt({ kind: 'succeeded', reason: 'Succeeded', message: 'done' }, 'Succeeded', 2, 1)],
    ];
    const { verdicts, messages } = await readAs(
      cases.map(([, object]) => object),
      cases.map(([status]) => status),
    );
    expect(verdicts[5]?.message).toBe('host full');
    expect(verdicts[7]?.message).toBe('spec.poolRef.name: no XenPool "lab"');
    expect(messages[1]).toBe('RampUp: run 1 of 1: ramping up');
    expect(messages[3]).toBe('Succeeded: the SLA held');
    expect(messages[5]).toBe('Failed: host full');
    expect(messages[8]).toBe('waiting for the Migrascope controller to see generation 2');
  });

  it('then a spec change refused after it finished keeps it Current and Healthy: status.observedGeneration is the new generation', async () => {
    const done = experimentConditions([], { kind: 'succeeded', reason: 'Succeeded', message: 'done', generation: 1 });
    const conditions = withSpecChange(done, specChangeCondition(2, 1, 'Succeeded')) as Condition[];
    await readAs([withStatus(experimentCase(), 2, { phase: 'Succeeded', observedGeneration: 2, conditions })], ['Current']);
    expect(conditions.find((c) => c.type === 'Stalled')?.observedGeneration).toBe(1);
  });
});

describe('Given a MigrationCampaign planned by the controller', () => {
  const NOW = Date.parse('2025-05-01T10:00:00Z');
  const campaign = parseCampaign(withField(withField(campaignCase(), 'spec.sweep.users', { from: 100, to: 200, step: 100 }), 'metadata.generation', 1));
  const level = (phase: 'Migrating' | 'Succeeded' | 'Failed'): MigrationExperimentStatus => ({
    phase,
    ...(phase === 'Migrating' ? {} : { completionTime: '2025-05-01T09:00:00Z', summary: { runs: 1, migrations: 1, verdicts: [{ percentile: 99, verdict: 'Pass' }] } }),
  });
  const statusOf = (children: Map<string, MigrationExperimentStatus>): Json =>
    withStatus(campaignCase(), 1, campaignStatus(campaign, planCampaign(campaign, children, NOW), undefined, new Date(NOW)) as Json);

  it('then kstatus reads InProgress before and while its levels run, Current when all passed, Failed when a level failed, and Argo CD the same as Progressing, Healthy, Degraded', async () => {
    const cases: [keyof typeof ARGOCD_OF, Json][] = [
      ['InProgress', statusOf(new Map())],
      ['InProgress', statusOf(new Map([['safe-load-100u', level('Migrating')]]))],
      ['Current', statusOf(new Map([['safe-load-100u', level('Succeeded')], ['safe-load-200u', level('Succeeded')]]))],
      ['Failed', statusOf(new Map([['safe-load-100u', level('Succeeded')], ['safe-load-200u', level('Failed')]]))],
      ['Failed', withStatus(campaignCase(), 1, { observedGeneration: 1, conditions: experimentConditions([], { kind: 'failed', reason: 'InvalidSpec', message: 'spec.sweep', generation: 1 }) })],
    ];
    await readAs(
      cases.map(([, object]) => object),
      cases.map(([status]) => status),
    );
  });
});

describe('Given a XenPool the controller looked at', () => {
  const pool = (kind: 'current' | 'reconciling' | 'stalled', reason: string): Json =>
    withStatus(poolCase(), 3, { observedGeneration: 3, connected: kind === 'current', conditions: poolConditions([], { kind, reason, message: `${reason}: why` }, 3) });

  it('then logged in is Current (Healthy), unreachable is InProgress (Progressing: retried), a missing Secret, refused login or invalid spec is Failed (Degraded)', async () => {
    const refused = unreachableKind(new XapiAuthenticationError('wrong password'));
    const down = unreachableKind(new XapiUnreachableError('connection refused'));
    const noSecret = unreachableKind(new PoolReferenceError('SecretNotFound', 'spec.credentialsSecretRef.name', 'no Secret'));
    expect([refused, down, noSecret, unreachableKind(new Error('socket hang up'))]).toEqual(['stalled', 'reconciling', 'stalled', 'reconciling']);
    const { verdicts, messages } = await readAs(
      [pool('current', 'Connected'), pool(down, 'ConnectFailed'), pool(refused, 'ConnectFailed'), pool(noSecret, 'SecretNotFound'), pool('stalled', 'InvalidSpec')],
      ['Current', 'InProgress', 'Failed', 'Failed', 'Failed'],
    );
    expect(verdicts[3]?.message).toBe('SecretNotFound: why');
    expect(messages[3]).toBe('SecretNotFound: why');
  });
});

describe('Given a WorkloadProfile the controller compiled', () => {
  it('then a profile that compiles is Current (Healthy) and an invalid one is Failed (Degraded), saying why', async () => {
    const profile = (valid: boolean): Json =>
      withStatus(profileCase(), 2, { observedGeneration: 2, conditions: profileConditions([], valid, valid ? 'Compiled' : 'InvalidProfile', valid ? '2 action(s)' : 'spec.actions[0].extract: bad regex', 2) });
    const { verdicts, messages } = await readAs([profile(true), profile(false)], ['Current', 'Failed']);
    expect(verdicts[1]?.message).toBe('spec.actions[0].extract: bad regex');
    expect(messages[1]).toBe('spec.actions[0].extract: bad regex');
  });
});
