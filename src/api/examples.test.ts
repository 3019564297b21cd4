import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { EXAMPLES_DIR, exampleResourceFiles } from './testing/example-files.ts';
import { compileWorkloadProfile, isMigrascopeObject, judgedThresholds, parseResource, type MigrascopeResource } from './v1alpha1/index.ts';

const examples = EXAMPLES_DIR;
const files = exampleResourceFiles();

interface Secret {
  kind: 'Secret';
  metadata: { name: string };
  stringData?: Record<string, string>;
}

function load(file: string): (MigrascopeResource | Secret)[] {
  return parseAllDocuments(readFileSync(join(examples, file), 'utf8')).map((document) => {
    expect(document.errors, `${file}: YAML errors`).toEqual([]);
    const object: unknown = document.toJS();
    if (isMigrascopeObject(object)) return parseResource(object);
    expect(object, `${file}: a document that is neither ours nor a Secret`).toMatchObject({ apiVersion: 'v1', kind: 'Secret' });
    return object as Secret;
  });
}

describe('Given the YAML files in examples/', () => {
  const all = new Map(files.map((file) => [file, load(file)]));
  const everything = [...all.values()].flat();

  it('Then there are the pool and the study experiments to parse', () => {
    expect(files).toEqual(expect.arrayContaining(['xenpool.yaml', 'study-one-migration.yaml', 'study-two-migrations.yaml']));
  });

  it('Then the DokuWiki profile and its experiment, in their subfolder, are among them', () => {
    expect(files).toEqual(expect.arrayContaining([join('dokuwiki', 'workloadprofile.yaml'), join('dokuwiki', 'experiment.yaml')]));
  });

  for (const file of files) {
    describe(`When ${file} is parsed with the API's parsers`, () => {
      it('Then every document is accepted and commented', () => {
        expect(all.get(file)!.length).toBeGreaterThan(0);
        expect(readFileSync(join(examples, file), 'utf8').startsWith('#')).toBe(true);
      });

      it('Then every pool it names and every Secret a pool names are in examples/', () => {
        for (const resource of all.get(file)!) {
          const pool =
            resource.kind === 'MigrationExperiment'
              ? resource.spec.poolRef.name
              : resource.kind === 'MigrationCampaign'
                ? resource.spec.template.spec.poolRef.name
                : undefined;
          if (pool !== undefined) {
            expect(everything.some((other) => other.kind === 'XenPool' && other.metadata.name === pool), `pool ${pool}`).toBe(true);
          }
          if (resource.kind === 'XenPool') {
            const secret = everything.find((other) => other.kind === 'Secret' && other.metadata.name === resource.spec.credentialsSecretRef.name) as
              | Secret
              | undefined;
            expect(secret?.stringData, `Secret ${resource.spec.credentialsSecretRef.name}`).toHaveProperty(resource.spec.credentialsSecretRef.usernameKey);
            expect(secret?.stringData).toHaveProperty(resource.spec.credentialsSecretRef.passwordKey);
          }
        }
      });

      it('Then every WorkloadProfile it names is in examples/, compiles with its params, and each of its actions has a threshold', () => {
        for (const resource of all.get(file)!) {
          const spec = resource.kind === 'MigrationExperiment' ? resource.spec : resource.kind === 'MigrationCampaign' ? resource.spec.template.spec : undefined;
          const ref = spec?.workload.profileRef;
          if (spec === undefined || ref === undefined) continue;
          const profile = everything.find((other) => other.kind === 'WorkloadProfile' && other.metadata.name === ref.name);
          expect(profile, `WorkloadProfile ${ref.name}`).toBeDefined();
          if (profile?.kind !== 'WorkloadProfile') continue;
          // As the engine resolves it when the experiment starts: a refusal names the field.
          const actions = compileWorkloadProfile(profile, spec.workload.params ?? {}).actions.map((action) => action.name);
          expect(Object.keys(judgedThresholds(spec.sla, actions, `WorkloadProfile ${ref.name}`))).toEqual(actions);
        }
      });
    });
  }
});
