import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KIND_DEFINITIONS } from './crd/definitions.ts';
import { REFERENCE_DOC, renderReferenceDoc } from './crd/reference-doc.ts';
import { GENERATE_COMMAND, HEADER, crdFileName, renderCrdFiles } from './crd/render.ts';
import { structuralProblems } from './crd/structural-check.ts';
import type { JSONSchemaProps } from './crd/structural-schema.ts';
import { INVALID_CASES } from './testing/cases.ts';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Crd {
  spec: {
    names: { kind: string; shortNames: string[]; categories: string[] };
    versions: {
      name: string;
      subresources: { status: object };
      additionalPrinterColumns: { name: string; jsonPath: string }[];
      schema: { openAPIV3Schema: JSONSchemaProps };
    }[];
  };
}

/** Every schema node with its path, depth first. */
/**
 * What a profile leaves free-form on purpose: a request's JSON body (any JSON, every string a
 * template) and its `when` (one name or a list; the profile compiler checks it).
 */
const FREE_FORM_FIELDS = new Set(['.spec.actions[].requests[].json', '.spec.actions[].requests[].when']);

function* nodes(schema: JSONSchemaProps, path = ''): Generator<[string, JSONSchemaProps]> {
  yield [path || '.', schema];
  for (const [name, child] of Object.entries(schema.properties ?? {})) yield* nodes(child, `${path}.${name}`);
  if (schema.items) yield* nodes(schema.items, `${path}[]`);
  if (schema.additionalProperties) yield* nodes(schema.additionalProperties, `${path}{}`);
}

describe('Given the CRDs generated in memory from src/api', () => {
  const generated = renderCrdFiles();

  describe('When compared with the files committed under crds/', () => {
    for (const [path, content] of generated) {
      it(`Then ${path} is up to date`, () => {
        expect(read(path), `${path} is stale: run \`${GENERATE_COMMAND}\``).toBe(content);
      });
    }
  });

  describe(`When the field tables of ${REFERENCE_DOC} are regenerated`, () => {
    it('Then they are what is committed', () => {
      const document = read(REFERENCE_DOC);
      expect(document, `${REFERENCE_DOC} is stale: run \`${GENERATE_COMMAND}\``).toBe(renderReferenceDoc(document));
    });
  });
});

describe('Given each CRD file read back as YAML', () => {
  for (const definition of KIND_DEFINITIONS) {
    const path = crdFileName(definition);
    const text = read(path);
    const crd = parse(text) as Crd;
    const version = crd.spec.versions[0]!;
    const schema = version.schema.openAPIV3Schema;

    describe(`When ${path} is inspected`, () => {
      it('Then it says it is generated and by what', () => {
        expect(text.startsWith(HEADER)).toBe(true);
        expect(HEADER).toContain('do not edit');
      });

      it('Then its schema is structural: every node has a type, nothing the API server forbids', () => {
        expect(structuralProblems(schema)).toEqual([]);
        for (const [node, props] of nodes(schema)) {
          // int-or-string is the one typeless node the API server calls structural (durations, params).
          if (!props['x-kubernetes-int-or-string'] && !FREE_FORM_FIELDS.has(node)) expect(props.type, `${node} has no type`).toBeDefined();
          for (const forbidden of ['$ref', 'anyOf', 'oneOf', 'allOf', 'not', 'const', 'definitions', 'patternProperties']) {
            expect(props, `${node} uses ${forbidden}`).not.toHaveProperty(forbidden);
          }
          expect(props.additionalProperties, `${node}: additionalProperties false`).not.toBe(false);
        }
      });

      it('Then nothing keeps unknown fields but the free-form ones of a profile, so the API server prunes typos', () => {
        const free = [...nodes(schema)].filter(([, props]) => props['x-kubernetes-preserve-unknown-fields']).map(([node]) => node);
        expect(free.filter((node) => !FREE_FORM_FIELDS.has(node))).toEqual([]);
      });

      it('Then every list, map and string of the spec is bounded (keeps CEL within the cost budget)', () => {
        for (const [node, props] of nodes(schema.properties!.spec!)) {
          if (props.type === 'array') expect(props.maxItems, `${node} has no maxItems`).toBeDefined();
          if (props.type === 'object' && props.additionalProperties) expect(props.maxProperties, `${node} has no maxProperties`).toBeDefined();
          if (props.type === 'string' && !props.enum) expect(props.maxLength, `${node} has no maxLength`).toBeDefined();
        }
      });

      it('Then it has the status subresource, short names and the migrascope category', () => {
        expect(version.subresources).toEqual({ status: {} });
        expect(crd.spec.names.shortNames).toEqual(definition.shortNames);
        expect(crd.spec.names.categories).toEqual(['migrascope']);
      });

      it('Then every printer column reads a field the schema has', () => {
        for (const column of version.additionalPrinterColumns) {
          if (column.jsonPath.startsWith('.metadata.')) continue;
          let node: JSONSchemaProps | undefined = schema;
          // `.spec.actions[*].name`, `.status.conditions[?(@.type=="Ready")].status`: a selector descends into a list's items.
          for (const step of column.jsonPath.replace(/\[[^\]]*\]/g, '[]').split('.').slice(1)) {
            const name = step.replace('[]', '');
            node = node?.properties?.[name];
            if (step.endsWith('[]')) node = node?.items;
          }
          expect(node, `${column.name}: ${column.jsonPath} names no field`).toBeDefined();
        }
      });

      it('Then every CEL rule is exercised by an invalid case that expects its message', () => {
        // A rule shared by two kinds (the template is an experiment spec) needs a case in one of them.
        const expected = INVALID_CASES.filter((c) => c.cel).map((c) => c.message);
        for (const [node, props] of nodes(schema)) {
          for (const rule of props['x-kubernetes-validations'] ?? []) {
            expect(
              expected.some((words) => rule.message.includes(words)),
              `${node}: no invalid case in src/api/testing/cases.ts checks "${rule.message}"`,
            ).toBe(true);
          }
        }
      });
    });
  }

  it('Then the experiment shows Phase, Users, Runs, Migrations, worst p99 vs SLA, Downtime and Age', () => {
    const crd = parse(read('crds/migrascope.io_migrationexperiments.yaml')) as Crd;
    const columns = crd.spec.versions[0]!.additionalPrinterColumns.filter((c) => !('priority' in c)).map((c) => c.name);
    expect(columns).toEqual(['Phase', 'Users', 'Runs', 'Migrations', 'Worst p99', 'Downtime', 'Age']);
  });
});
