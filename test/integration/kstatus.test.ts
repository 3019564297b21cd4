// What Flux and kpt make of our resources: the status the controller writes, fed to the real
// kstatus library (sigs.k8s.io/cli-utils pkg/kstatus, built as test/controlplane/cmd/kstatus by
// scripts/controlplane.sh). InProgress while work is under way, Current when done, Failed when
// failed or invalid, for all four kinds; the statuses come from the same pure functions the
// reconcilers and the engine call.
import { describe, expect, it } from 'vitest';
import { campaign as campaignCase, experiment as experimentCase, workloadProfile as profileCase, xenPool as poolCase, withField } from '../../src/api/testing/cases.ts';
import { parseCampaign, type Condition, type MigrationExperimentStatus } from '../../src/api/v1alpha1/index.ts';
import { campaignStatus, planCampaign } from '../../src/controller/campaign-plan.ts';
import { PoolReferenceError } from '../../src/controller/cluster-pool-credentials.ts';
import { pendingConditions, specChangeCondition, withSpecChange } from '../../src/controller/experiment-lifecycle.ts';
import { poolConditions, profileConditions, unreachableKind } from '../../src/controller/resource-conditions.ts';
import { experimentConditions, type ExperimentState } from '../../src/engine/conditions.ts';
import { XapiAuthenticationError, XapiUnreachableError } from '../../src/xen/index.ts';
import { kstatus } from '../support/kstatus.ts';

type Json = Record<string, unknown>;

function withStatus(object: Json, generation: number, status: Json): Json {
  const metadata = { ...(object.metadata as Json), generation };
  return { ...object, metadata, status };
}

const experimentAt = (state: Omit<ExperimentState, 'generation'>, phase: string, generation = 1, observed = generation): Json =>
  withStatus(experimentCase(), generation, { phase, observedGeneration: observed, conditions: experimentConditions([], { ...state, generation: observed }) });

describe('Given a MigrationExperiment at each phase', () => {
  it('then kstatus reads InProgress while it starts and runs, Current when it succeeded, Failed when it failed, was aborted or cannot start', async () => {
    const cases: [string, Json][] = [
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
    const verdicts = await kstatus(cases.map(([, object]) => object));
    expect(verdicts.map((v) => v.status)).toEqual(cases.map(([status]) => status));
    expect(verdicts[5]?.message).toBe('host full');
    expect(verdicts[7]?.message).toBe('spec.poolRef.name: no XenPool "lab"');
  });

  it('then a spec change refused after it finished keeps it Current: status.observedGeneration is the new generation', async () => {
    const done = experimentConditions([], { kind: 'succeeded', reason: 'Succeeded', message: 'done', generation: 1 });
    const conditions = withSpecChange(done, specChangeCondition(2, 1, 'Succeeded')) as Condition[];
    const [verdict] = await kstatus([withStatus(experimentCase(), 2, { phase: 'Succeeded', observedGeneration: 2, conditions })]);
    expect(verdict?.status).toBe('Current');
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

  it('then kstatus reads InProgress before and while its levels run, Current when all passed, Failed when a level failed', async () => {
    const cases: [string, Json][] = [
      ['InProgress', statusOf(new Map())],
      ['InProgress', statusOf(new Map([['safe-load-100u', level('Migrating')]]))],
      ['Current', statusOf(new Map([['safe-load-100u', level('Succeeded')], ['safe-load-200u', level('Succeeded')]]))],
      ['Failed', statusOf(new Map([['safe-load-100u', level('Succeeded')], ['safe-load-200u', level('Failed')]]))],
      ['Failed', withStatus(campaignCase(), 1, { observedGeneration: 1, conditions: experimentConditions([], { kind: 'failed', reason: 'InvalidSpec', message: 'spec.sweep', generation: 1 }) })],
    ];
    const verdicts = await kstatus(cases.map(([, object]) => object));
    expect(verdicts.map((v) => v.status)).toEqual(cases.map(([status]) => status));
  });
});

describe('Given a XenPool the controller looked at', () => {
  const pool = (kind: 'current' | 'reconciling' | 'stalled', reason: string): Json =>
    withStatus(poolCase(), 3, { observedGeneration: 3, connected: kind === 'current', conditions: poolConditions([], { kind, reason, message: `${reason}: why` }, 3) });

  it('then logged in is Current, unreachable is InProgress (retried), a missing Secret, refused login or invalid spec is Failed', async () => {
    const refused = unreachableKind(new XapiAuthenticationError('wrong password'));
    const down = unreachableKind(new XapiUnreachableError('connection refused'));
    const noSecret = unreachableKind(new PoolReferenceError('SecretNotFound', 'spec.credentialsSecretRef.name', 'no Secret'));
    expect([refused, down, noSecret, unreachableKind(new Error('socket hang up'))]).toEqual(['stalled', 'reconciling', 'stalled', 'reconciling']);
    const verdicts = await kstatus([
      pool('current', 'Connected'),
      pool(down, 'ConnectFailed'),
      pool(refused, 'ConnectFailed'),
      pool(noSecret, 'SecretNotFound'),
      pool('stalled', 'InvalidSpec'),
    ]);
    expect(verdicts.map((v) => v.status)).toEqual(['Current', 'InProgress', 'Failed', 'Failed', 'Failed']);
    expect(verdicts[3]?.message).toBe('SecretNotFound: why');
  });
});

describe('Given a WorkloadProfile the controller compiled', () => {
  it('then a profile that compiles is Current and an invalid one is Failed', async () => {
    const profile = (valid: boolean): Json =>
      withStatus(profileCase(), 2, { observedGeneration: 2, conditions: profileConditions([], valid, valid ? 'Compiled' : 'InvalidProfile', valid ? '2 action(s)' : 'spec.actions[0].extract: bad regex', 2) });
    const verdicts = await kstatus([profile(true), profile(false)]);
    expect(verdicts.map((v) => v.status)).toEqual(['Current', 'Failed']);
    expect(verdicts[1]?.message).toBe('spec.actions[0].extract: bad regex');
  });
});
