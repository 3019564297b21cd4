// Valid resources and invalid variations of them, each naming the field that must be blamed and
// the words a person must read. The parsers' unit tests and the CRD test against a real API server
// both run them, so the zod half and the CEL half of every rule are held to the same cases.

import { API_VERSION, type MigrascopeKind } from '../v1alpha1/index.ts';

type Json = Record<string, unknown>;

export function xenPool(name = 'study-pool'): Json {
  return {
    apiVersion: API_VERSION,
    kind: 'XenPool',
    metadata: { name },
    spec: { url: 'https://xen-master.example:443', credentialsSecretRef: { name: 'xen-credentials' } },
  };
}

export function experiment(name = 'one-migration'): Json {
  return {
    apiVersion: API_VERSION,
    kind: 'MigrationExperiment',
    metadata: { name },
    spec: {
      poolRef: { name: 'study-pool' },
      target: { vm: { nameLabel: 'olio-web' }, applicationUrl: 'http://olio-web.example/' },
      workload: { users: 600, steadyState: '10m' },
      migrations: { offsets: ['5m'] },
    },
  };
}

export function campaign(name = 'safe-load'): Json {
  return {
    apiVersion: API_VERSION,
    kind: 'MigrationCampaign',
    metadata: { name },
    spec: {
      mode: 'safeLoad',
      template: {
        spec: {
          poolRef: { name: 'study-pool' },
          target: { vm: { nameLabel: 'olio-web' }, applicationUrl: 'http://olio-web.example/' },
          workload: { steadyState: '10m' },
          migrations: { offsets: ['5m'] },
        },
      },
      sweep: { users: { from: 100, to: 500, step: 100 } },
    },
  };
}

export function schedule(name = 'nightly'): Json {
  const { spec } = campaign();
  return { apiVersion: API_VERSION, kind: 'MigrationSchedule', metadata: { name }, spec: { schedule: '0 2 * * 1-5', timeZone: 'Europe/Paris', campaignTemplate: { spec } } };
}

/** A shop's users: browse items, sometimes buy one. */
export function workloadProfile(name = 'shop'): Json {
  return {
    apiVersion: API_VERSION,
    kind: 'WorkloadProfile',
    metadata: { name },
    spec: {
      params: { items: 200 },
      think: { mean: '5s' },
      actions: [
        { name: 'Browse', requests: [{ path: '/items/{{int 1 items}}', expect: { status: [200] } }] },
        { name: 'Buy', requests: [{ method: 'POST', path: '/cart', form: { item: '{{int 1 items}}' } }] },
      ],
      matrix: { Browse: [0.8, 0.2], Buy: [1, 0] },
    },
  };
}

export interface Case {
  name: string;
  kind: MigrascopeKind;
  object: Json;
}

export interface InvalidCase extends Case {
  /** The field a person is sent to, as a YAML path. */
  field: string;
  /** Words the parser's message contains (for a CEL rule, the server's too). */
  message: string;
  /** True when the API server refuses it with a CEL rule, whose message is ours word for word. */
  cel: boolean;
}

/** `base` with `path` set to `value` (undefined deletes), on a deep copy. */
export function withField(base: Json, path: string, value: unknown): Json {
  const copy = structuredClone(base);
  const keys = path.split('.');
  let node: Json = copy;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Json;
  }
  const last = keys[keys.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function patched(base: Json, patches: Record<string, unknown>): Json {
  return Object.entries(patches).reduce((object, [path, value]) => withField(object, path, value), base);
}

export const VALID_CASES: readonly Case[] = [
  { name: 'a pool', kind: 'XenPool', object: xenPool() },
  {
    name: 'a pool with a CA bundle',
    kind: 'XenPool',
    object: withField(xenPool('pool-ca'), 'spec.caBundleSecretRef', { name: 'xen-ca' }),
  },
  { name: 'an experiment with one migration', kind: 'MigrationExperiment', object: experiment() },
  {
    name: 'two migrations by count, first and spacing, to a named host',
    kind: 'MigrationExperiment',
    object: patched(experiment('two-migrations'), {
      'spec.workload.steadyState': '20m',
      'spec.migrations': { count: 2, first: '9m', spacing: '2m', destination: { policy: 'host', host: 'xen-2' } },
    }),
  },
  {
    name: 'the web and the db VM migrated together (a host evacuation)',
    kind: 'MigrationExperiment',
    object: withField(experiment('evacuation'), 'spec.migrations', { offsets: ['5m'], vms: [{ nameLabel: 'web' }, { nameLabel: 'db' }], mode: 'together' }),
  },
  {
    name: 'one migration by count needs no spacing',
    kind: 'MigrationExperiment',
    object: withField(experiment('count-one'), 'spec.migrations', { count: 1, first: '9m59s' }),
  },
  {
    name: 'an open-loop experiment without migration, aborting on p90',
    kind: 'MigrationExperiment',
    object: patched(experiment('open-loop'), {
      'spec.workload': { rate: 12.5, drivers: 4, steadyState: '5m' },
      'spec.migrations': undefined,
      'spec.abort': { onViolation: 'p90' },
      'spec.sla': { window: '1m', step: '5s', percentiles: [50, 90, 99.9], thresholds: { HomePage: '1500ms', AddEvent: '5s' } },
    }),
  },
  { name: 'a safeLoad campaign', kind: 'MigrationCampaign', object: campaign() },
  { name: 'an experiment with a baseline run', kind: 'MigrationExperiment', object: withField(experiment('with-baseline'), 'spec.baseline', { enabled: true }) },
  { name: 'a safeLoad campaign with a baseline run at every level', kind: 'MigrationCampaign', object: withField(campaign('safe-load-baseline'), 'spec.template.spec.baseline', { enabled: true }) },
  { name: 'a baseline switched off without migrations', kind: 'MigrationExperiment', object: patched(experiment('baseline-off'), { 'spec.baseline': { enabled: false }, 'spec.migrations': undefined }) },
  { name: 'a schedule of a campaign on weekday nights, Paris time', kind: 'MigrationSchedule', object: schedule() },
  {
    name: 'an hourly schedule that replaces a running campaign, with a deadline and history limits',
    kind: 'MigrationSchedule',
    object: patched(schedule('hourly'), { 'spec.schedule': '@hourly', 'spec.timeZone': undefined, 'spec.concurrencyPolicy': 'Replace', 'spec.startingDeadlineSeconds': 300, 'spec.successfulHistoryLimit': 0, 'spec.failedHistoryLimit': 5 }),
  },
  { name: 'a workload profile with a transition matrix', kind: 'WorkloadProfile', object: workloadProfile() },
  {
    name: 'a workload profile with a flat mix, a JSON body, a condition list and a numeric timeout',
    kind: 'WorkloadProfile',
    object: patched(workloadProfile('flat'), {
      'spec.matrix': undefined,
      'spec.mix': { Browse: 0.7, Buy: 0.3 },
      'spec.timeout': 10000,
      'spec.actions': [
        { name: 'Browse', requests: [{ path: '/items', capture: [{ var: 'cart', header: 'x-cart' }] }] },
        { name: 'Buy', requests: [{ method: 'POST', path: '/cart', json: { qty: '{{int 1 3}}', gift: false }, when: ['cart', '!done'], set: { done: 'yes' } }] },
      ],
    }),
  },
  {
    name: 'an experiment on a WorkloadProfile with its own thresholds and params',
    kind: 'MigrationExperiment',
    object: patched(experiment('shop-experiment'), {
      'spec.workload.profileRef': { name: 'shop' },
      'spec.workload.params': { items: 50, region: 'eu' },
      'spec.sla.thresholds': { Buy: '3s' },
      'spec.sla.defaultThreshold': '1500ms',
    }),
  },
  {
    name: 'a capacity campaign',
    kind: 'MigrationCampaign',
    object: patched(campaign('capacity'), {
      'spec.mode': 'capacity',
      'spec.template.spec.migrations': undefined,
      'spec.sweep.users': { from: 100, to: 700, step: 100 },
      'spec.judgePercentile': 90,
    }),
  },
];

function invalid(
  name: string,
  kind: MigrascopeKind,
  object: Json,
  patches: Record<string, unknown>,
  field: string,
  message: string,
  cel: boolean,
): InvalidCase {
  return { name, kind, object: patched(object, patches), field, message, cel };
}

const exp = experiment('bad');
const camp = campaign('bad');
const pool = xenPool('bad');
const prof = workloadProfile('bad');
const sched = schedule('bad');

export const INVALID_CASES: readonly InvalidCase[] = [
  // Types and ranges: the schema's own checks.
  invalid('users as text', 'MigrationExperiment', exp, { 'spec.workload.users': 'many' }, 'spec.workload.users', 'expected number', false),
  invalid('zero users', 'MigrationExperiment', exp, { 'spec.workload.users': 0 }, 'spec.workload.users', 'at least 1', false),
  invalid('a percentile of 100', 'MigrationExperiment', exp, { 'spec.sla.percentiles': [90, 100] }, 'spec.sla.percentiles[1]', 'less than 100', false),
  invalid('a percentile of 0', 'MigrationExperiment', exp, { 'spec.sla.percentiles': [0] }, 'spec.sla.percentiles[0]', 'greater than 0', false),
  invalid('a duration without unit', 'MigrationExperiment', exp, { 'spec.workload.steadyState': '10' }, 'spec.workload.steadyState', 'a duration like', false),
  invalid('an unknown destination policy', 'MigrationExperiment', exp, { 'spec.migrations.destination': { policy: 'random' } }, 'spec.migrations.destination.policy', 'expected one of', false),
  invalid('an unknown abort percentile', 'MigrationExperiment', exp, { 'spec.abort': { onViolation: 'p95' } }, 'spec.abort.onViolation', 'expected one of', false),
  invalid('a pool URL that is not http(s)', 'XenPool', pool, { 'spec.url': 'ftp://xen' }, 'spec.url', 'http:// or https://', false),
  invalid('a campaign step of 0', 'MigrationCampaign', camp, { 'spec.sweep.users.step': 0 }, 'spec.sweep.users.step', 'at least 1', false),
  // Rules between fields: CEL on the server, the same rule in the parser.
  invalid('users and rate', 'MigrationExperiment', exp, { 'spec.workload.rate': 10 }, 'spec.workload.users', 'exactly one of users', true),
  invalid('neither users nor rate', 'MigrationExperiment', exp, { 'spec.workload.users': undefined }, 'spec.workload.users', 'exactly one of users', true),
  invalid('more drivers than users', 'MigrationExperiment', exp, { 'spec.workload.users': 2, 'spec.workload.drivers': 3 }, 'spec.workload.drivers', 'drivers must not exceed users', true),
  invalid('a zero steady state', 'MigrationExperiment', exp, { 'spec.workload.steadyState': '0s' }, 'spec.workload.steadyState', 'longer than zero', true),
  invalid('a steady state over a day', 'MigrationExperiment', exp, { 'spec.workload.steadyState': '25h' }, 'spec.workload.steadyState', 'at most 24h', true),
  invalid('a ramp-up of 1000h (a 1 ms pause once past a timer)', 'MigrationExperiment', exp, { 'spec.workload.rampUp': '1000h' }, 'spec.workload.rampUp', 'at most 24h', true),
  invalid('a ramp-down over a day', 'MigrationExperiment', exp, { 'spec.workload.rampDown': '25h' }, 'spec.workload.rampDown', 'at most 24h', true),
  invalid('a pause between runs of 1000h', 'MigrationExperiment', exp, { 'spec.pauseBetweenRuns': '1000h' }, 'spec.pauseBetweenRuns', 'at most 24h', true),
  invalid('a mean think time over an hour', 'MigrationExperiment', exp, { 'spec.workload.thinkTime': { mean: '2h' } }, 'spec.workload.thinkTime.mean', 'at most 1h', true),
  invalid('more than 100,000 users', 'MigrationExperiment', exp, { 'spec.workload.users': 100_001 }, 'spec.workload.users', '100000', false),
  invalid('a zero SLA step', 'MigrationExperiment', exp, { 'spec.sla.step': '0ms' }, 'spec.sla.step', 'longer than zero', true),
  invalid('an SLA step over an hour', 'MigrationExperiment', exp, { 'spec.workload.steadyState': '4h', 'spec.sla': { window: '3h', step: '2h' } }, 'spec.sla.step', 'at most 1h', true),
  invalid('an SLA step over the window', 'MigrationExperiment', exp, { 'spec.sla': { window: '1m', step: '2m' } }, 'spec.sla.step', 'step must not be longer than window', true),
  invalid('a window longer than steady state', 'MigrationExperiment', exp, { 'spec.sla.window': '11m' }, 'spec.sla.window', 'no window would be complete', true),
  invalid('a repeated percentile', 'MigrationExperiment', exp, { 'spec.sla.percentiles': [99, 99] }, 'spec.sla.percentiles', 'listed once', true),
  invalid('a threshold for an unknown action', 'MigrationExperiment', exp, { 'spec.sla.thresholds': { Checkout: '1s' } }, 'spec.sla.thresholds', 'only the Olio actions', true),
  invalid('a zero threshold', 'MigrationExperiment', exp, { 'spec.sla.thresholds': { HomePage: '0s' } }, 'spec.sla.thresholds.HomePage', 'longer than zero', true),
  invalid('offsets and count', 'MigrationExperiment', exp, { 'spec.migrations': { offsets: ['1m'], count: 2, first: '1m', spacing: '1m' } }, 'spec.migrations.offsets', 'either offsets, or count', true),
  invalid('no schedule at all', 'MigrationExperiment', exp, { 'spec.migrations': { destination: { policy: 'roundRobin' } } }, 'spec.migrations.offsets', 'either offsets, or count', true),
  invalid('count without first', 'MigrationExperiment', exp, { 'spec.migrations': { count: 2, spacing: '1m' } }, 'spec.migrations.first', 'first goes with count', true),
  invalid('two migrations without spacing', 'MigrationExperiment', exp, { 'spec.migrations': { count: 2, first: '1m' } }, 'spec.migrations.spacing', 'spacing goes with count > 1', true),
  invalid('a mode without vms', 'MigrationExperiment', exp, { 'spec.migrations': { offsets: ['1m'], mode: 'together' } }, 'spec.migrations.mode', 'mode goes with vms', true),
  invalid('more migrations than a run records', 'MigrationExperiment', exp, { 'spec.migrations': { count: 9, first: '1m', spacing: '10s', vms: Array.from({ length: 8 }, (_, i) => ({ nameLabel: `vm-${i}` })) } }, 'spec.migrations.vms', 'at most 64 migrations', true),
  invalid('a VM named twice over in vms', 'MigrationExperiment', exp, { 'spec.migrations': { offsets: ['1m'], vms: [{ nameLabel: 'web', uuid: '0a1b2c3d-0000-4000-8000-000000000001' }] } }, 'spec.migrations.vms[0].nameLabel', 'exactly one of nameLabel or uuid', true),
  invalid('a zero spacing', 'MigrationExperiment', exp, { 'spec.migrations': { count: 2, first: '1m', spacing: '0s' } }, 'spec.migrations.spacing', 'longer than zero', true),
  invalid('an offset after steady state', 'MigrationExperiment', exp, { 'spec.migrations.offsets': ['5m', '10m'] }, 'spec.migrations.offsets', 'inside steady state', true),
  invalid('a counted schedule running past steady state', 'MigrationExperiment', exp, { 'spec.migrations': { count: 3, first: '8m', spacing: '1m' } }, 'spec.migrations.count', 'must start inside steady state', true),
  invalid('policy host without a host', 'MigrationExperiment', exp, { 'spec.migrations.destination': { policy: 'host' } }, 'spec.migrations.destination.host', 'host is required when policy is host', true),
  invalid('a host without policy host', 'MigrationExperiment', exp, { 'spec.migrations.destination': { host: 'xen-2' } }, 'spec.migrations.destination.host', 'only with policy host', true),
  invalid('a migration timeout over 6h', 'MigrationExperiment', exp, { 'spec.migrations.timeout': '7h' }, 'spec.migrations.timeout', 'at most 6h', true),
  invalid('abort on a percentile not computed', 'MigrationExperiment', exp, { 'spec.abort': { onViolation: 'p99' }, 'spec.sla.percentiles': [90] }, 'spec.abort.onViolation', 'does not compute', true),
  invalid('a baseline without migrations', 'MigrationExperiment', exp, { 'spec.baseline': { enabled: true }, 'spec.migrations': undefined }, 'spec.baseline.enabled', 'set migrations, or remove baseline', true),
  invalid('a baseline without enabled', 'MigrationExperiment', exp, { 'spec.baseline': {} }, 'spec.baseline.enabled', 'expected boolean', false),
  invalid('a capacity campaign with a baseline', 'MigrationCampaign', camp, { 'spec.mode': 'capacity', 'spec.template.spec.migrations': undefined, 'spec.template.spec.baseline': { enabled: true } }, 'spec.template.spec.baseline.enabled', 'set migrations, or remove baseline', true),
  invalid('a VM by name and uuid', 'MigrationExperiment', exp, { 'spec.target.vm': { nameLabel: 'web', uuid: '0a1b2c3d-0000-4000-8000-000000000001' } }, 'spec.target.vm.nameLabel', 'exactly one of nameLabel or uuid', true),
  invalid('a CA bundle and insecureSkipVerify', 'XenPool', pool, { 'spec.caBundleSecretRef': { name: 'ca' }, 'spec.insecureSkipVerify': true }, 'spec.insecureSkipVerify', 'contradict each other', true),
  invalid('a sweep from above to', 'MigrationCampaign', camp, { 'spec.sweep.users': { from: 600, to: 100, step: 100 } }, 'spec.sweep.users.to', 'from must not be greater than to', true),
  invalid('a sweep of too many levels', 'MigrationCampaign', camp, { 'spec.sweep.users': { from: 1, to: 1000, step: 1 } }, 'spec.sweep.users.step', 'at most 50 levels', true),
  invalid('a sweep with values and a range', 'MigrationCampaign', camp, { 'spec.sweep.users': { from: 100, to: 500, step: 100, values: [100] } }, 'spec.sweep.users', 'give either values (a list), or from, to and step', true),
  invalid('a sweep with a range missing its step', 'MigrationCampaign', camp, { 'spec.sweep.spacing': { from: '1m', to: '5m' }, 'spec.sweep.users': undefined, 'spec.template.spec.workload.users': 100, 'spec.template.spec.migrations': { count: 2, first: '1m', spacing: '1m' } }, 'spec.sweep.spacing', 'give either values (a list), or from, to and step', true),
  invalid('a spacing sweep from above to', 'MigrationCampaign', camp, { 'spec.sweep': { spacing: { from: '5m', to: '1m', step: '1m' } }, 'spec.template.spec.workload.users': 100, 'spec.template.spec.migrations': { count: 2, first: '1m', spacing: '1m' } }, 'spec.sweep.spacing.to', 'from must not be greater than to', true),
  invalid('a spacing sweep of too many levels', 'MigrationCampaign', camp, { 'spec.sweep': { spacing: { from: '1s', to: '5m', step: '1s' } }, 'spec.template.spec.workload.users': 100, 'spec.template.spec.migrations': { count: 2, first: '1m', spacing: '1m' } }, 'spec.sweep.spacing.step', 'at most 50 levels', true),
  invalid('a sweep of nothing', 'MigrationCampaign', camp, { 'spec.sweep': {}, 'spec.template.spec.workload.users': 100 }, 'spec.sweep', 'sweep at least one field', true),
  invalid('a sweep of three fields', 'MigrationCampaign', camp, { 'spec.sweep': { users: { values: [100] }, migrations: { values: [1, 2] }, offset: { values: ['1m'] } }, 'spec.template.spec.migrations': { count: 2, first: '1m', spacing: '1m' } }, 'spec.sweep', 'sweep at most 2 fields', true),
  invalid('a sweep of users and rate', 'MigrationCampaign', camp, { 'spec.sweep.rate': { values: [10, 20] } }, 'spec.sweep.rate', 'sweep users (closed loop) or rate (open loop), not both', true),
  invalid('a grid of too many levels', 'MigrationCampaign', camp, { 'spec.sweep': { users: { from: 10, to: 100, step: 10 }, offset: { from: '1m', to: '6m', step: '1m' } }, 'spec.template.spec.migrations': { count: 1, first: '1m' } }, 'spec.sweep', 'at most 50 levels in all', true),
  invalid('a sweep over something else without the load', 'MigrationCampaign', camp, { 'spec.sweep': { offset: { values: ['1m', '2m'] } }, 'spec.template.spec.migrations': { count: 1, first: '1m' } }, 'spec.sweep', 'set the load once', true),
  invalid('a users sweep and template users', 'MigrationCampaign', camp, { 'spec.template.spec.workload.users': 100 }, 'spec.sweep', 'set the load once', true),
  invalid('a spacing sweep over a template with offsets', 'MigrationCampaign', camp, { 'spec.sweep': { spacing: { values: ['1m', '2m'] } }, 'spec.template.spec.workload.users': 100 }, 'spec.sweep', 'needs template.spec.migrations in the counted form', true),
  invalid('a capacity campaign sweeping the VM memory', 'MigrationCampaign', camp, { 'spec.mode': 'capacity', 'spec.template.spec.migrations': undefined, 'spec.sweep': { vmMemory: { values: ['1GiB', '2GiB'] } }, 'spec.template.spec.workload.users': 100 }, 'spec.mode', 'sweep them in mode safeLoad', true),
  invalid('a template with users and rate', 'MigrationCampaign', camp, { 'spec.sweep': { offset: { values: ['1m'] } }, 'spec.template.spec.workload.users': 100, 'spec.template.spec.workload.rate': 10, 'spec.template.spec.migrations': { count: 1, first: '1m' } }, 'spec.template.spec.workload.users', 'set users (closed loop) or rate (open loop), not both', true),
  invalid('a capacity campaign with migrations', 'MigrationCampaign', camp, { 'spec.mode': 'capacity' }, 'spec.mode', 'mode capacity measures without migration', true),
  invalid('a safeLoad campaign without migrations', 'MigrationCampaign', camp, { 'spec.template.spec.migrations': undefined }, 'spec.mode', 'mode safeLoad needs', true),
  invalid('judging by a percentile not computed', 'MigrationCampaign', camp, { 'spec.judgePercentile': 95 }, 'spec.judgePercentile', 'must be one of template.spec.sla.percentiles', true),
  invalid('more drivers than the first level has users', 'MigrationCampaign', camp, { 'spec.template.spec.workload.drivers': 200 }, 'spec.template.spec.workload.drivers', 'must not exceed sweep.users.from', true),
  invalid('a template window longer than steady state', 'MigrationCampaign', camp, { 'spec.template.spec.sla.window': '11m' }, 'spec.template.spec.sla.window', 'no window would be complete', true),
  invalid('a template counted schedule past steady state', 'MigrationCampaign', camp, { 'spec.template.spec.migrations': { count: 2, first: '9m', spacing: '1m' } }, 'spec.template.spec.migrations.count', 'must start inside steady state', true),
  invalid('a template aborting on a percentile not computed', 'MigrationCampaign', camp, { 'spec.template.spec.abort': { onViolation: 'p90' }, 'spec.template.spec.sla.percentiles': [99] }, 'spec.template.spec.abort.onViolation', 'does not compute', true),
  invalid('a template label value too long', 'MigrationCampaign', camp, { 'spec.template.metadata': { labels: { team: 'x'.repeat(64) } } }, 'spec.template.metadata.labels.team', 'Too big', false),
  invalid('a built-in profile and a profileRef', 'MigrationExperiment', exp, { 'spec.workload.profile': 'olio', 'spec.workload.profileRef': { name: 'shop' } }, 'spec.workload.profileRef', 'set either profile (a built-in one) or profileRef', true),
  invalid('a profileRef without a name', 'MigrationExperiment', exp, { 'spec.workload.profileRef': {} }, 'spec.workload.profileRef.name', 'expected string', false),
  invalid('a template with both profiles', 'MigrationCampaign', camp, { 'spec.template.spec.workload.profile': 'olio', 'spec.template.spec.workload.profileRef': { name: 'shop' } }, 'spec.template.spec.workload.profileRef', 'set either profile (a built-in one) or profileRef', true),
  invalid('a profile whose matrix row does not sum to 1', 'WorkloadProfile', prof, { 'spec.matrix.Browse': [0.5, 0.4] }, 'spec.matrix.Browse', 'must sum to 1 (within 0.001)', true),
  invalid('a profile with a matrix and a mix', 'WorkloadProfile', prof, { 'spec.mix': { Browse: 1 } }, 'spec.mix', 'give either a matrix or a flat mix, not both', true),
  invalid('a profile of two actions without matrix or mix', 'WorkloadProfile', prof, { 'spec.matrix': undefined }, 'spec.matrix', 'needs a transition matrix (matrix) or a flat mix (mix)', true),
  invalid('a profile starting at an unknown action', 'WorkloadProfile', prof, { 'spec.start': 'Checkout' }, 'spec.start', 'unknown action', true),
  invalid('a profile naming an action twice', 'WorkloadProfile', prof, { 'spec.actions': [{ name: 'Browse', requests: [{ path: '/' }] }, { name: 'Browse', requests: [{ path: '/b' }] }] }, 'spec.actions', 'each action name may be used once', true),
  invalid('a matrix row for an unknown action', 'WorkloadProfile', prof, { 'spec.matrix.Checkout': [1, 0] }, 'spec.matrix', 'one row per action', true),
  invalid('a matrix row without an entry per action', 'WorkloadProfile', prof, { 'spec.matrix.Buy': [1] }, 'spec.matrix', 'one entry per action', true),
  invalid('a mix naming an unknown action', 'WorkloadProfile', prof, { 'spec.matrix': undefined, 'spec.mix': { Browse: 0.5, Checkout: 0.5 } }, 'spec.mix', 'mix may name only actions of the profile', true),
  invalid('a mix not summing to 1', 'WorkloadProfile', prof, { 'spec.matrix': undefined, 'spec.mix': { Browse: 0.5, Buy: 0.4 } }, 'spec.mix', 'the probabilities of mix must sum to 1', true),
  invalid('a profile with a probability over 1', 'WorkloadProfile', prof, { 'spec.matrix.Buy': [1.5, -0.5] }, 'spec.matrix.Buy[0]', 'Too big', false),
  invalid('a schedule of six fields', 'MigrationSchedule', sched, { 'spec.schedule': '*/5 * * * * *' }, 'spec.schedule', 'five fields', false),
  invalid('an unknown concurrency policy', 'MigrationSchedule', sched, { 'spec.concurrencyPolicy': 'Queue' }, 'spec.concurrencyPolicy', 'expected one of', false),
  invalid('a negative starting deadline', 'MigrationSchedule', sched, { 'spec.startingDeadlineSeconds': -1 }, 'spec.startingDeadlineSeconds', 'Too small', false),
  invalid('a schedule keeping 21 successful campaigns', 'MigrationSchedule', sched, { 'spec.successfulHistoryLimit': 21 }, 'spec.successfulHistoryLimit', 'Too big', false),
  invalid('a schedule whose campaign template breaks a campaign rule', 'MigrationSchedule', sched, { 'spec.campaignTemplate.spec.judgePercentile': 95 }, 'spec.campaignTemplate.spec.judgePercentile', 'must be one of template.spec.sla.percentiles', true),
  invalid('a template offset after steady state', 'MigrationCampaign', camp, { 'spec.template.spec.migrations.offsets': ['12m'] }, 'spec.template.spec.migrations.offsets', 'inside steady state', true),
];

/**
 * Refused by Migrascope's parser only: the API server cannot read sizes and rates as numbers, nor
 * build each level of a sweep to check it, so it admits these; the controller then marks the
 * campaign or experiment InvalidSpec with the same message (docs/resources.md says so).
 */
export const PARSER_ONLY_CASES: readonly InvalidCase[] = [
  invalid('a memory sweep from above to', 'MigrationCampaign', camp, { 'spec.sweep': { vmMemory: { from: '4GiB', to: '1GiB', step: '1GiB' } }, 'spec.template.spec.workload.users': 100 }, 'spec.sweep.vmMemory.to', 'from must not be greater than to', false),
  invalid('a bandwidth that is not a rate', 'MigrationExperiment', exp, { 'spec.testbed': { linkBandwidth: 'fast' } }, 'spec.testbed.linkBandwidth', 'cannot read "fast"', false),
  invalid('a spacing sweep whose widest level runs past steady state', 'MigrationCampaign', camp, { 'spec.sweep': { spacing: { values: ['1m', '20m'] } }, 'spec.template.spec.workload.users': 100, 'spec.template.spec.migrations': { count: 2, first: '1m', spacing: '1m' } }, 'spec.sweep', 'the level at spacing 20m is not a valid experiment', false),
];
