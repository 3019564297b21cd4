import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSlaFile } from '../sla/index.ts';
import { loadTopology } from '../testbed/config.ts';
import { loadProfile } from '../workloads/index.ts';
import { InvalidInputError } from './index.ts';
import { parseYamlDocument, parseYamlDocuments } from './yaml.ts';
import { refusalOf } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'migrascope-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** "Billion laughs": 9 levels of 9 aliases each, 9^9 strings once expanded, from 400 bytes. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 9; level++) {
    const name = String.fromCharCode(97 + level);
    const previous = String.fromCharCode(96 + level);
    lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

const refusal = (action: () => unknown) => refusalOf(action);

describe('Given a YAML alias bomb', () => {
  it('Then one document is refused naming its source and saying why, without a stack trace', () => {
    const error = refusal(() => parseYamlDocument(aliasBomb(), 'bomb.yaml'));
    expect(error.field).toBe('bomb.yaml');
    expect(error.message).toMatch(/too many aliases.*alias bomb/);
  });

  it('Then in a stream, the document holding it is named', () => {
    const error = refusal(() => parseYamlDocuments(`kind: A\n---\n${aliasBomb()}`, 'run.yaml'));
    expect(error.field).toBe('run.yaml (document 2)');
    expect(error.message).toMatch(/too many aliases/);
  });

  it.each([
    ['an SLA file', (path: string) => readSlaFile(path), (path: string) => path],
    ['a profile', (path: string) => loadProfile(path), () => '--profile'],
    ['a testbed config', (path: string) => loadTopology(path), () => '--config'],
  ])('Then %s holding it is refused as one, naming the file', async (_, read, field) => {
    const path = join(dir, `bomb-${field('x').replace(/\W/g, '')}.yaml`);
    writeFileSync(path, aliasBomb());
    const error = await Promise.resolve()
      .then((): unknown => read(path))
      .then(
        () => {
          throw new Error('accepted');
        },
        (error: unknown) => error as InvalidInputError,
      );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field).toBe(field(path));
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/too many aliases/);
  });
});

describe('Given ordinary YAML', () => {
  it('Then a few aliases are fine, and a duplicated key is refused naming the source', () => {
    expect(parseYamlDocument('x: &x {a: 1}\ny: *x\nz: *x\n', 's.yaml')).toEqual({ x: { a: 1 }, y: { a: 1 }, z: { a: 1 } });
    expect(refusal(() => parseYamlDocument('x: 1\nx: 2\n', 's.yaml')).message).toMatch(/^s\.yaml: not valid YAML: .*unique \(line 2, column 1\)$/);
  });

  it('Then in a stream, a duplicated key is named by its line in the file', () => {
    expect(refusal(() => parseYamlDocuments('a: 1\n---\nb: 1\n  # note\nb: 2\n', 'f.yaml')).message).toMatch(/^f\.yaml \(document 2\): .*unique \(line 5, column 1\)$/);
  });
});

describe('Given YAML nested deeper than the parser has stack for', () => {
  const deep = `x: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`;

  it.each([
    ['one document', () => parseYamlDocument(deep, 'deep.yaml')],
    ['a stream', () => parseYamlDocuments(`a: 1\n---\n${deep}`, 'deep.yaml')],
  ])('When it is %s, Then it is refused as too deeply nested, not with the runtime\'s words', (_, parse) => {
    const error = refusal(parse);
    expect(error.message).toMatch(/^deep\.yaml.*: not valid YAML: nested too deeply/);
    expect(error.message).not.toMatch(/call stack/i);
  });

  it('Then every document of a stream is returned with where it is, empty ones as null', () => {
    expect(parseYamlDocuments('a: 1\n---\n---\nb: 2\n', 'f.yaml')).toEqual([
      { where: 'f.yaml (document 1)', value: { a: 1 } },
      { where: 'f.yaml (document 2)', value: null },
      { where: 'f.yaml (document 3)', value: { b: 2 } },
    ]);
  });
});
