// The bad-input corpus: one file per bad input under test/corpus/<kind>/, each with a sidecar
// FILE.expect whose lines are the words the refusal must contain (the field path, the line
// number, the error code). The tests feed every file to the real entry point of its kind.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = fileURLToPath(new URL('.', import.meta.url));

export const CORPUS_KINDS = ['resources', 'profiles', 'run-files', 'testbed-configs', 'request-logs', 'xapi-requests', 'xapi-replies'] as const;
export type CorpusKind = (typeof CORPUS_KINDS)[number];

export interface CorpusCase {
  /** The file name, e.g. experiment-users-nan.yaml: what a failing test names. */
  name: string;
  path: string;
  /** Each must appear in what the entry point said when it refused the input. */
  expect: string[];
}

/** Every case of a kind, in name order. */
export function corpusCases(kind: CorpusKind): CorpusCase[] {
  const dir = join(CORPUS_DIR, kind);
  const names = readdirSync(dir).filter((name) => !name.endsWith('.expect')).sort();
  if (names.length === 0) throw new Error(`test/corpus/${kind} holds no case`);
  return names.map((name) => {
    const path = join(dir, name);
    let expectation: string;
    try {
      expectation = readFileSync(`${path}.expect`, 'utf8');
    } catch {
      throw new Error(`test/corpus/${kind}/${name} has no ${name}.expect: write the words its refusal must contain, one per line`);
    }
    const expect = expectation.split('\n').filter((line) => line.trim() !== '');
    if (expect.length === 0) throw new Error(`test/corpus/${kind}/${name}.expect is empty`);
    return { name, path, expect };
  });
}

/** What a refusal must never show: a stack frame ("    at fn (file:line)") or a runtime's own error dump. */
export const STACK_TRACE = /^\s+at .+[(:]\d+|node:internal|ZodError|RangeError|Maximum call stack/m;
