// The CRDs under crds/ (the files that ship) applied to a real kube-apiserver: they are accepted
// (structural, CEL compiles within the cost budget), valid resources are stored with the same
// defaults our parsers fill in, invalid ones are refused with the field and our words, status
// written through the status subresource survives pruning, and the printer columns show it.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { INVALID_CASES, PARSER_ONLY_CASES, VALID_CASES, experiment, withField } from '../../src/api/testing/cases.ts';
import {
  GROUP,
  MigrationCampaignStatus,
  MigrationExperimentStatus,
  VERSION,
  XenPoolStatus,
  isMigrascopeObject,
  parseResource,
  worstP99VsSla,
  type MigrascopeKind,
} from '../../src/api/index.ts';
import { exampleResourceFiles } from '../../src/api/testing/example-files.ts';
import { startControlPlane, type ControlPlane } from '../controlplane/index.ts';

const root = join(import.meta.dirname, '..', '..');
const namespace = `crds-${randomBytes(4).toString('hex')}`;
const PLURALS: Record<MigrascopeKind, string> = {
  XenPool: 'xenpools',
  WorkloadProfile: 'workloadprofiles',
  MigrationExperiment: 'migrationexperiments',
  MigrationCampaign: 'migrationcampaigns',
  MigrationSchedule: 'migrationschedules',
};

type Json = Record<string, unknown>;

let plane: ControlPlane;
let custom: CustomObjectsApi;
let core: CoreV1Api;

beforeAll(async () => {
  plane = await startControlPlane();
  const config = plane.kubeConfig();
  custom = config.makeApiClient(CustomObjectsApi);
  core = config.makeApiClient(CoreV1Api);
  const extensions = config.makeApiClient(ApiextensionsV1Api);
  const files = readdirSync(join(root, 'crds')).filter((name) => name.endsWith('.yaml'));
  for (const file of files) {
    const crd = parse(readFileSync(join(root, 'crds', file), 'utf8')) as V1CustomResourceDefinition;
    // Sent as the file says, like kubectl: client-node's typed createCustomResourceDefinition
    // serializes through its models, which expect `_default`, `_enum`, `x_kubernetes_validations`
    // and silently drop the `default`, `enum` and `x-kubernetes-*` keys of a YAML file.
    const created = await api('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    expect(created.status, `${file}: ${created.text}`).toBe(201);
    await eventually(
      () => extensions.readCustomResourceDefinition({ name: crd.metadata!.name! }),
      (read) => read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false,
      `${file} established`,
    );
  }
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});

afterAll(async () => {
  await plane?.stop();
});

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const value = await read();
    if (accept(value)) return value;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function create(kind: MigrascopeKind, body: Json, fieldValidation?: 'Strict'): Promise<Json> {
  return custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURALS[kind],
    body,
    ...(fieldValidation ? { fieldValidation } : {}),
  }) as Promise<Json>;
}

/** The API server's refusal: HTTP status and message, or a failure if it accepted. */
async function refusal(kind: MigrascopeKind, body: Json, fieldValidation?: 'Strict'): Promise<{ code: number; message: string }> {
  try {
    await create(kind, body, fieldValidation);
  } catch (error) {
    const { code, body: raw } = error as { code?: number; body?: unknown };
    if (code === undefined) throw error;
    const status = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { message?: string };
    return { code, message: status.message ?? String(raw) };
  }
  throw new Error(`the API server accepted ${JSON.stringify(body)}`);
}

let uniqueName = 0;
function named(object: Json): Json {
  return withField(object, 'metadata.name', `${(object.metadata as { name: string }).name}-${(uniqueName += 1)}`);
}

/** A request as the admin, the body as JSON: for what client-node's typed methods would mangle. */
function api(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, plane.url),
      {
        method,
        ca: readFileSync(plane.caFile),
        headers: { authorization: `Bearer ${plane.adminToken}`, accept, 'content-type': 'application/json' },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** GET as a Table: what `kubectl get` prints. */
async function table(kind: MigrascopeKind, name: string): Promise<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }> {
  const path = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURALS[kind]}/${name}`;
  const response = await api('GET', path, undefined, 'application/json;as=Table;v=v1;g=meta.k8s.io');
  if (response.status !== 200) throw new Error(`GET ${path} as a Table: ${response.status} ${response.text}`);
  return JSON.parse(response.text) as Awaited<ReturnType<typeof table>>;
}

async function writeStatus(kind: MigrascopeKind, stored: Json, status: Json): Promise<Json> {
  const name = (stored.metadata as { name: string }).name;
  await custom.replaceNamespacedCustomObjectStatus({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURALS[kind],
    name,
    body: { ...stored, status },
  });
  return (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURALS[kind], name })) as Json;
}

/** The columns of a Table row by name, Name and Age left out. */
function cellsByColumn(result: Awaited<ReturnType<typeof table>>): Record<string, unknown> {
  const cells = result.rows[0]!.cells;
  return Object.fromEntries(
    result.columnDefinitions.map((column, index) => [column.name, cells[index]]).filter(([name]) => name !== 'Name' && name !== 'Age'),
  );
}

describe('Given the CRDs applied to a real kube-apiserver', () => {
  describe('When the valid cases are created', () => {
    for (const { name, kind, object } of VALID_CASES) {
      it(`Then ${name} is stored with the defaults our parser fills in`, async () => {
        const stored = await create(kind, named(object));
        const parsed = parseResource(object);
        expect(parseResource(stored).spec).toEqual(parsed.spec);
        // Where no partial thresholds are merged in, the server's defaults are ours, field by field.
        if (!JSON.stringify(object).includes('thresholds')) expect(stored.spec).toEqual(parsed.spec);
      });
    }
  });

  describe('When the invalid cases are created', () => {
    for (const { name, kind, object, field, message, cel } of INVALID_CASES) {
      it(`Then ${name} is refused naming ${field}`, async () => {
        const refused = await refusal(kind, object);
        expect(refused.code).toBe(422);
        // The server writes a map entry as thresholds[HomePage] where we write thresholds.HomePage.
        const mapForm = field.replace(/\.([A-Za-z]\w*)$/, '[$1]');
        expect([field, mapForm].some((path) => refused.message.includes(`${path}:`)), refused.message).toBe(true);
        if (cel) expect(refused.message).toContain(message);
      });
    }
  });

  describe('When the cases only Migrascope\'s parser refuses are created', () => {
    for (const { name, kind, object } of PARSER_ONLY_CASES) {
      it(`Then ${name} is admitted (sizes, rates and each level of a sweep are the parser's to check)`, async () => {
        await expect(create(kind, named(object))).resolves.toBeDefined();
      });
    }
  });

  describe('When a misspelt field is sent with strict field validation (as kubectl does)', () => {
    it('Then it is refused naming the unknown field', async () => {
      const refused = await refusal('MigrationExperiment', named(withField(experiment(), 'spec.abort', { onViolaton: 'p99' })), 'Strict');
      expect(refused.message).toContain('unknown field "spec.abort.onViolaton"');
    });
  });

  describe('When every example in examples/ is applied', () => {
    // Subfolders too (examples/dokuwiki/ holds a WorkloadProfile and an experiment that uses it); not the GitOps tools' files.
    const files = exampleResourceFiles();
    it('Then the subfolders are among them', () => {
      expect(files).toEqual(expect.arrayContaining([join('dokuwiki', 'workloadprofile.yaml'), join('dokuwiki', 'experiment.yaml')]));
    });
    for (const file of files) {
      it(`Then ${file} is accepted with the defaults our parser fills in`, async () => {
        for (const document of parseAllDocuments(readFileSync(join(root, 'examples', file), 'utf8'))) {
          const object = document.toJS() as Json;
          if (!isMigrascopeObject(object)) {
            await core.createNamespacedSecret({ namespace, body: named(object) });
            continue;
          }
          const parsed = parseResource(object);
          const stored = await create(parsed.kind, named(object));
          expect(parseResource(stored).spec).toEqual(parsed.spec);
        }
      });
    }
  });

  describe('When an experiment gets a full status through the status subresource', () => {
    const at = (minute: number) => `2025-05-01T10:${String(minute).padStart(2, '0')}:00Z`;
    const actions = [
      {
        action: 'HomePage',
        count: 41_230,
        errors: 0,
        thresholdSeconds: 1,
        percentiles: [
          { percentile: 90, meanMaxSeconds: 0.62, worstMaxSeconds: 0.71, violations: 0, verdict: 'Pass' as const },
          { percentile: 99, meanMaxSeconds: 1.52, worstMaxSeconds: 1.84, violations: 95, verdict: 'Fail' as const },
        ],
        verdict: 'Fail' as const,
      },
    ];
    const status = MigrationExperimentStatus.parse({
      phase: 'Succeeded',
      observedGeneration: 1,
      conditions: [
        { type: 'Ready', status: 'True', observedGeneration: 1, lastTransitionTime: at(13), reason: 'Succeeded', message: '1 run: p99 broken, p90 kept' },
        { type: 'Progressing', status: 'False', observedGeneration: 1, lastTransitionTime: at(13), reason: 'Finished', message: '' },
      ],
      currentRun: 1,
      completedRuns: 1,
      profile: { kind: 'BuiltIn', name: 'olio', actions: ['HomePage', 'Login', 'TagSearch', 'EventDetail', 'PersonDetail', 'AddPerson', 'AddEvent'] },
      startTime: at(0),
      completionTime: at(13),
      migrationOffsets: ['5m'],
      runs: [
        {
          index: 1,
          state: 'Succeeded',
          startTime: at(0),
          steadyStateStartTime: at(2),
          endTime: at(13),
          migrations: [
            {
              index: 1,
              offset: '5m',
              state: 'Succeeded',
              source: 'xen-1',
              destination: 'xen-2',
              startTime: at(7),
              endTime: at(8),
              durationSeconds: 44.2,
              downtimeSeconds: 3.1,
              modelDowntimeSeconds: 3.0,
              modelDurationSeconds: 44.0,
            },
          ],
          actions: [
            {
              action: 'HomePage',
              count: 41_230,
              errors: 0,
              thresholdSeconds: 1,
              percentiles: [
                { percentile: 90, maxSeconds: 0.71, violations: 0, verdict: 'Pass' },
                { percentile: 99, maxSeconds: 1.84, violations: 95, verdict: 'Fail' },
              ],
              verdict: 'Fail',
            },
          ],
          verdicts: [
            { percentile: 90, verdict: 'Pass' },
            { percentile: 99, verdict: 'Fail' },
          ],
          verdict: 'Fail',
          requestLog: 'requests/one-migration/1.ndjson',
        },
      ],
      summary: {
        runs: 1,
        migrations: 1,
        meanMigrationSeconds: 44.2,
        maxMigrationSeconds: 44.2,
        meanDowntimeSeconds: 3.1,
        maxDowntimeSeconds: 3.1,
        actions,
        verdicts: [
          { percentile: 90, verdict: 'Pass' },
          { percentile: 99, verdict: 'Fail' },
        ],
        verdict: 'Fail',
        worstP99VsSla: worstP99VsSla(actions),
      },
    });

    it('Then it reads back whole (nothing pruned) and kubectl get shows it in the columns', async () => {
      const stored = await create('MigrationExperiment', named(experiment('with-status')));
      const read = await writeStatus('MigrationExperiment', stored, status);
      expect(read.status).toEqual(status);
      const columns = cellsByColumn(await table('MigrationExperiment', (stored.metadata as { name: string }).name));
      expect(columns).toEqual({
        Phase: 'Succeeded',
        Users: 600,
        Runs: 1,
        Migrations: 1,
        'Worst p99': 'HomePage 1.84s/1s',
        Downtime: 3.1,
        Verdict: 'Fail',
        Profile: 'olio',
      });
    });
  });

  describe('When an experiment with a baseline gets its baseline run and comparison, running and then finished', () => {
    const judged = (p90: number, p99: number) => ({
      action: 'HomePage',
      count: 9_000,
      errors: 0,
      thresholdSeconds: 1,
      percentiles: [
        { percentile: 90, maxSeconds: p90, violations: 0, verdict: 'Pass' as const },
        { percentile: 99, maxSeconds: p99, violations: p99 > 1 ? 3 : 0, verdict: p99 > 1 ? ('Fail' as const) : ('Pass' as const) },
      ],
      verdict: p99 > 1 ? ('Fail' as const) : ('Pass' as const),
    });
    const running = MigrationExperimentStatus.parse({ phase: 'SteadyState', currentRun: 0, baseline: { run: { index: 0, state: 'Running', startTime: '2025-05-01T10:00:00Z', migrations: [] } } });
    const finished = MigrationExperimentStatus.parse({
      phase: 'Succeeded',
      completedRuns: 1,
      runs: [{ index: 1, state: 'Succeeded', actions: [judged(0.3, 1.6)] }],
      baseline: {
        run: { index: 0, state: 'Succeeded', migrations: [], actions: [judged(0.4, 0.5)] },
        actions: [
          {
            action: 'HomePage',
            percentiles: [
              { percentile: 90, baselineMaxSeconds: 0.4, meanMaxSeconds: 0.3, slowdown: 0.75, slowdownSeconds: -0.1, baselineViolations: 0, meanViolations: 0, extraViolations: 0 },
              { percentile: 99, baselineMaxSeconds: 0.5, meanMaxSeconds: 1.6, slowdown: 3.2, slowdownSeconds: 1.1, baselineViolations: 1, meanViolations: 0.5, extraViolations: -0.5 },
            ],
          },
        ],
      },
    });

    it('Then both read back whole: run 0, negative differences and fractional windows included', async () => {
      const stored = await create('MigrationExperiment', named(withField(experiment('with-baseline-status'), 'spec.baseline', { enabled: true })));
      expect((await writeStatus('MigrationExperiment', stored, running)).status).toEqual(running);
      const again = await create('MigrationExperiment', named(withField(experiment('with-baseline-done'), 'spec.baseline', { enabled: true })));
      expect((await writeStatus('MigrationExperiment', again, finished)).status).toEqual(finished);
    });
  });

  describe('When a campaign and a pool get their status', () => {
    it('Then the campaign shows its levels and recommendation', async () => {
      const [valid] = VALID_CASES.filter((c) => c.kind === 'MigrationCampaign');
      const stored = await create('MigrationCampaign', named(valid!.object));
      const status = MigrationCampaignStatus.parse({
        phase: 'Succeeded',
        observedGeneration: 1,
        completedLevels: 2,
        levels: [
          { users: 100, experiment: 'safe-load-100u', phase: 'Succeeded', verdict: 'Pass', maxDowntimeSeconds: 2.9, meanMigrationSeconds: 40.1 },
          { users: 200, experiment: 'safe-load-200u', phase: 'Succeeded', verdict: 'Fail', actions: [] },
        ],
        recommendation: { users: 100, percentile: 99, message: 'migrate at up to 100 users (p99)', brief: '100 users' },
      });
      const read = await writeStatus('MigrationCampaign', stored, status);
      expect(read.status).toEqual(status);
      const columns = cellsByColumn(await table('MigrationCampaign', (stored.metadata as { name: string }).name));
      expect(columns).toEqual({ Phase: 'Succeeded', Mode: 'safeLoad', Levels: 2, Recommendation: '100 users' });
    });

    it('Then the pool shows whether it is connected and its hosts', async () => {
      const [valid] = VALID_CASES.filter((c) => c.kind === 'XenPool');
      const stored = await create('XenPool', named(valid!.object));
      const status = XenPoolStatus.parse({
        observedGeneration: 1,
        connected: true,
        poolName: 'lab',
        simulated: false,
        hostCount: 2,
        hosts: [
          { name: 'xen-1', uuid: 'a1', enabled: true, memoryTotalBytes: 17_179_869_184, memoryFreeBytes: 8_589_934_592 },
          { name: 'xen-2', uuid: 'a2', enabled: true },
        ],
        lastConnectedTime: '2025-05-01T10:00:00Z',
      });
      const read = await writeStatus('XenPool', stored, status);
      expect(read.status).toEqual(status);
      const columns = cellsByColumn(await table('XenPool', (stored.metadata as { name: string }).name));
      expect(columns).toMatchObject({ Connected: true, Hosts: 2, URL: 'https://xen-master.example:443' });
    });
  });
});
