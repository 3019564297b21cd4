import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../invalid/index.ts';
import { credentialsFor, localPoolResolver } from './credentials.ts';
import { parseRunFile, readRunFiles } from './run-file.ts';
import { bindExperiment, bindUrl } from './testbed-binding.ts';

const POOL = `apiVersion: migrascope.io/v1alpha1
kind: XenPool
metadata: { name: lab }
spec:
  url: https://xen.lab.example
  credentialsSecretRef: { name: xen-creds }
`;
const SECRET = `apiVersion: v1
kind: Secret
metadata: { name: xen-creds }
stringData: { username: root, password: s3cret }
`;
const EXPERIMENT = `apiVersion: migrascope.io/v1alpha1
kind: MigrationExperiment
metadata: { name: exp }
spec:
  poolRef: { name: lab }
  target: { vm: { nameLabel: web }, applicationUrl: 'http://web.testbed.local/app' }
  workload: { users: 10, steadyState: 1m }
  sla: { window: 30s }
`;

describe('parseRunFile', () => {
  it('given pools, secrets and experiments in one file, then each lands in its place', () => {
    const file = parseRunFile([SECRET, POOL, EXPERIMENT].join('---\n'), 'run.yaml');
    expect(file.pools.map((p) => p.metadata.name)).toEqual(['lab']);
    expect(file.secrets).toEqual([{ name: 'xen-creds', namespace: 'default', data: { username: 'root', password: 's3cret' } }]);
    expect(file.experiments.map((e) => e.metadata.name)).toEqual(['exp']);
  });

  it('given a bad field in the second document, then the refusal names the document and the field', () => {
    const bad = EXPERIMENT.replace('users: 10', 'users: 0');
    expect(() => parseRunFile([POOL, bad].join('---\n'), 'run.yaml')).toThrow(/run\.yaml \(document 2\): spec\.workload\.users/);
  });

  it('given nothing to run, then it says so', () => {
    expect(() => parseRunFile(POOL, 'pools.yaml')).toThrow(/holds no MigrationExperiment or MigrationCampaign/);
  });

  it('given base64 data in a Secret, then it is decoded', () => {
    const file = parseRunFile(
      [`apiVersion: v1\nkind: Secret\nmetadata: { name: x }\ndata: { password: ${Buffer.from('pw').toString('base64')} }\n`, EXPERIMENT].join('---\n'),
      'run.yaml',
    );
    expect(file.secrets[0]?.data.password).toBe('pw');
  });
});

describe('readRunFiles', () => {
  const example = (path: string): string => fileURLToPath(new URL(`../../examples/${path}`, import.meta.url));

  it('given the pool, the profile and the experiment in files of their own (as README runs the examples), then they are one set', async () => {
    const file = await readRunFiles([example('xenpool.yaml'), example('dokuwiki/workloadprofile.yaml'), example('dokuwiki/experiment.yaml')]);
    expect(file.pools.map((p) => p.metadata.name)).toEqual(['study-pool']);
    expect(file.secrets.map((s) => s.name)).toEqual(['xen-credentials']);
    expect(file.profiles.map((p) => p.metadata.name)).toEqual(['dokuwiki']);
    expect(file.experiments.map((e) => e.metadata.name)).toEqual(['dokuwiki-one-migration']);
  });

  it('given the experiment without the file of its profile, then the refusal names that file, the document and the field', async () => {
    await expect(readRunFiles([example('xenpool.yaml'), example('dokuwiki/experiment.yaml')])).rejects.toThrow(
      /dokuwiki\/experiment\.yaml \(document 1\): spec\.workload\.profileRef\.name: no WorkloadProfile "dokuwiki"/,
    );
  });

  it('given files with nothing to run, then it says so naming them', async () => {
    await expect(readRunFiles([example('xenpool.yaml'), example('dokuwiki/workloadprofile.yaml')])).rejects.toThrow(/xenpool\.yaml, .*workloadprofile\.yaml: hold no MigrationExperiment/);
  });
});

describe('credentials', () => {
  const file = parseRunFile([SECRET, POOL, EXPERIMENT].join('---\n'), 'run.yaml');
  const pool = file.pools[0]!;

  it('given the Secret in the file, then it is used', () => {
    expect(credentialsFor(pool, { pools: file.pools, secrets: file.secrets, env: {} })).toMatchObject({ url: 'https://xen.lab.example', username: 'root', password: 's3cret' });
  });

  it('given no Secret but the environment, then the environment is used', () => {
    expect(credentialsFor(pool, { pools: file.pools, secrets: [], env: { MIGRASCOPE_XAPI_PASSWORD: 'from-env' } })).toMatchObject({ username: 'root', password: 'from-env' });
  });

  it('given nothing, then the refusal says where credentials can come from', () => {
    expect(() => credentialsFor(pool, { pools: file.pools, secrets: [], env: {} })).toThrow(/MIGRASCOPE_XAPI_PASSWORD/);
  });

  it('given a pool reference the file does not hold, then the resolver names the field', async () => {
    const resolve = localPoolResolver({ pools: file.pools, secrets: file.secrets, env: {} });
    await expect(resolve({ namespace: 'default', name: 'other' })).rejects.toThrow(InvalidInputError);
    await expect(resolve({ namespace: 'default', name: 'other' })).rejects.toThrow(/spec\.poolRef\.name/);
  });
});

describe('testbed binding', () => {
  const testbed = {
    xapi: { url: 'http://127.0.0.1:1', username: 'root', password: 'x' },
    hosts: [],
    vms: [
      { name: 'web', uuid: 'u', host: 'h1', url: 'http://127.0.0.1:4567' },
      { name: 'db', uuid: 'v', host: 'h2', url: null },
    ],
  };

  it('given a <vm>.testbed.local URL, then it points at that VM guest, path kept', () => {
    expect(bindUrl('http://web.testbed.local/app?x=1', testbed, 'f')).toBe('http://127.0.0.1:4567/app?x=1');
  });
  it('given another URL, then it is left alone', () => {
    expect(bindUrl('https://olio.example/', testbed, 'f')).toBe('https://olio.example/');
  });
  it('given a VM that fronts nothing, then the refusal names the field and the VMs there are', () => {
    expect(() => bindUrl('http://db.testbed.local/', testbed, 'spec.target.applicationUrl')).toThrow(/spec\.target\.applicationUrl: .*web\.testbed\.local/);
  });
  it('binds an experiment target', () => {
    const file = parseRunFile([POOL, EXPERIMENT].join('---\n'), 'run.yaml');
    expect(bindExperiment(file.experiments[0]!, testbed).spec.target.applicationUrl).toBe('http://127.0.0.1:4567/app');
  });
});

describe('hostile run files (review of 2026-12-02)', () => {
  it('refuses a YAML alias bomb as bad input naming the document, not with a stack trace', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i <= 8; i += 1) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const bomb = parseRunFile.bind(null, [POOL, levels.join('\n')].join('---\n'), 'bomb.yaml');
    expect(bomb).toThrow(InvalidInputError);
    expect(bomb).toThrow(/bomb\.yaml \(document 2\): not valid YAML: too many aliases/);
  });

  const UID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

  it('given two experiments with the same name in one file, then the file is refused naming both documents', () => {
    expect(() => parseRunFile([SECRET, POOL, EXPERIMENT, EXPERIMENT].join('---\n'), 'run.yaml')).toThrow(/run\.yaml \(document 4\): metadata\.name: the same as run\.yaml \(document 3\)/);
  });

  it('given the same experiment name in two files of one run, then the set is refused naming both files', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'migrascope-dup-'));
    await writeFile(join(dir, 'a.yaml'), [SECRET, POOL, EXPERIMENT].join('---\n'));
    await writeFile(join(dir, 'b.yaml'), EXPERIMENT);
    await expect(readRunFiles([join(dir, 'a.yaml'), join(dir, 'b.yaml')])).rejects.toThrow(/b\.yaml \(document 1\): metadata\.name: the same as .*a\.yaml \(document 3\)/);
  });

  it('given the same name in two namespaces, then both run', () => {
    const other = EXPERIMENT.replace('metadata: { name: exp }', 'metadata: { name: exp, namespace: lab2 }');
    expect(parseRunFile([SECRET, POOL, EXPERIMENT, other].join('---\n'), 'run.yaml').experiments).toHaveLength(2);
  });

  it('given two experiments with the same metadata.uid, then the file is refused naming both documents', () => {
    const first = EXPERIMENT.replace('metadata: { name: exp }', `metadata: { name: exp, uid: ${UID} }`);
    const second = EXPERIMENT.replace('metadata: { name: exp }', `metadata: { name: exp2, uid: ${UID} }`);
    expect(() => parseRunFile([POOL, first, second].join('---\n'), 'run.yaml')).toThrow(/run\.yaml \(document 3\): metadata\.uid: the same as run\.yaml \(document 2\)/);
  });

  it('given MIGRASCOPE_XAPI_PASSWORD_FILE naming a missing file, then the refusal names the variable', () => {
    const file = parseRunFile([POOL, EXPERIMENT].join('---\n'), 'run.yaml');
    const read = () => credentialsFor(file.pools[0]!, { pools: file.pools, secrets: [], env: { MIGRASCOPE_XAPI_PASSWORD_FILE: '/nonexistent/password' } });
    expect(read).toThrow(InvalidInputError);
    expect(read).toThrow(/MIGRASCOPE_XAPI_PASSWORD_FILE: cannot read "\/nonexistent\/password": ENOENT/);
  });

  it('given MIGRASCOPE_XAPI_CA_FILE naming a missing file, then the refusal names the variable', () => {
    const file = parseRunFile([SECRET, POOL, EXPERIMENT].join('---\n'), 'run.yaml');
    const read = () => credentialsFor(file.pools[0]!, { pools: file.pools, secrets: file.secrets, env: { MIGRASCOPE_XAPI_CA_FILE: '/nonexistent/ca.pem' } });
    expect(read).toThrow(/MIGRASCOPE_XAPI_CA_FILE: cannot read "\/nonexistent\/ca\.pem": ENOENT/);
  });
});
