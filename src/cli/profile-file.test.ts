// WorkloadProfile manifests read by `--profile FILE`: the spec under metadata.name, read by the
// cluster's own parser, refusals that name the field as the manifest spells it; plain profile
// files keep working. The shipped
// DokuWiki example is read too, so a mistake in it fails here before any wiki is started.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { refusalOf } from '../invalid/testing.ts';
import { profileArgument } from './profile-file.ts';

const loadProfile = (path: string, params: Record<string, string | number> = {}) => profileArgument(path, params);

const dir = mkdtempSync(join(tmpdir(), 'migrascope-profile-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPEC = `  think: {distribution: fixed, mean: 1s}
  actions:
    - name: Browse
      requests: [{path: /}]
    - name: Buy
      requests: [{method: POST, path: /cart}]
  matrix:
    Browse: [0.5, 0.5]
    Buy: [1, 0]
`;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const refusal = (path: string) => refusalOf(() => loadProfile(path));

describe('Given a WorkloadProfile manifest', () => {
  it('When read, Then its spec is the profile and metadata.name its name', () => {
    const profile = loadProfile(file('shop.yaml', `apiVersion: migrascope.io/v1alpha1\nkind: WorkloadProfile\nmetadata: {name: shop}\nspec:\n${SPEC}`));
    expect(profile.name).toBe('shop');
    expect(profile.actions.map((action) => action.name)).toEqual(['Browse', 'Buy']);
  });

  it('When its spec is wrong, Then the refusal names spec.<field>, whether the shape or the compiler found it', () => {
    const head = 'apiVersion: migrascope.io/v1alpha1\nkind: WorkloadProfile\nmetadata: {name: shop}\nspec:\n';
    expect(refusal(file('rows.yaml', head + SPEC.replace('Buy: [1, 0]', 'Buy: [0.5, 0]'))).field).toBe('spec.matrix.Buy');
    expect(refusal(file('shape.yaml', head + SPEC.replace('{path: /}', '{path: /, retries: 3}'))).field).toBe('spec.actions[0].requests[0].retries');
    expect(refusal(file('named.yaml', `${head}  name: shop\n${SPEC}`)).field).toBe('spec.name');
    expect(() => loadProfile(file('param.yaml', head + SPEC), { nope: 1 })).toThrow(/--param\.nope: profile "shop" has no parameter "nope"/);
  });

  it('When its envelope is wrong, Then apiVersion, metadata.name or spec is named', () => {
    expect(refusal(file('version.yaml', `apiVersion: v1\nkind: WorkloadProfile\nmetadata: {name: shop}\nspec:\n${SPEC}`)).field).toBe('apiVersion');
    expect(refusal(file('noname.yaml', `apiVersion: migrascope.io/v1alpha1\nkind: WorkloadProfile\nmetadata: {name: Shop_1}\nspec:\n${SPEC}`)).field).toBe('metadata.name');
    expect(refusal(file('nospec.yaml', 'apiVersion: migrascope.io/v1alpha1\nkind: WorkloadProfile\nmetadata: {name: shop}\n')).field).toBe('spec');
  });
});

describe('Given a plain profile file', () => {
  it('When read, Then it works as before', () => {
    expect(loadProfile(file('plain.yaml', `name: plain\n${SPEC.replace(/^ {2}/gm, '')}`)).name).toBe('plain');
  });
});

describe('Given the shipped DokuWiki example', () => {
  it('When read, Then it compiles to its five actions, and --param overrides its seeded page count', () => {
    const path = fileURLToPath(new URL('../../examples/dokuwiki/workloadprofile.yaml', import.meta.url));
    const profile = loadProfile(path, { pages: 20 });
    expect(profile.name).toBe('dokuwiki');
    expect(profile.actions.map((action) => action.name)).toEqual(['ViewPage', 'Search', 'Login', 'EditPage', 'Logout']);
    expect(profile.params.pages).toBe(20);
  });
});
