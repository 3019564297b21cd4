// YAML a person (or an attacker) wrote: parsed with a bound on alias expansion (a "billion laughs"
// document of nested aliases would otherwise build an enormous value), and refused as bad input
// naming the file and the document, never with a stack trace.
import { parse, parseAllDocuments } from 'yaml';
import { InvalidInputError } from './index.ts';

/**
 * At most this many alias expansions per document. Our documents (profiles, run files, SLA and
 * testbed configs) use none or a handful; the yaml package's own default (100) lets a small file
 * grow a value of ~100^depth nodes before refusing it.
 */
export const MAX_YAML_ALIASES = 50;

export interface YamlDocument {
  /** "FILE (document N)": what a refusal of this document names. */
  where: string;
  /** The document as plain values; null for an empty one. */
  value: unknown;
}

/** One YAML document from `text`; `source` (a file, or a flag such as --profile) is named when it is refused. */
export function parseYamlDocument(text: string, source: string): unknown {
  try {
    return parse(text, { maxAliasCount: MAX_YAML_ALIASES, prettyErrors: false });
  } catch (error) {
    throw new InvalidInputError(source, `not valid YAML: ${yamlProblem(error, text)}`);
  }
}

/** The options that bound a parse: for a caller of the yaml package's own parse(). */
export const YAML_LIMITS = { maxAliasCount: MAX_YAML_ALIASES, prettyErrors: false } as const;

/** Every document of a multi-document stream ("---" between them), each named "SOURCE (document N)". */
export function parseYamlDocuments(text: string, source: string): YamlDocument[] {
  let documents;
  try {
    documents = parseAllDocuments(text, { prettyErrors: false });
  } catch (error) {
    throw new InvalidInputError(source, `not valid YAML: ${yamlProblem(error, text)}`);
  }
  return documents.map((document, index) => {
    const where = `${source} (document ${index + 1})`;
    if (document.errors.length > 0) throw new InvalidInputError(where, `not valid YAML: ${yamlProblem(document.errors[0], text)}`);
    try {
      return { where, value: document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown };
    } catch (error) {
      throw new InvalidInputError(where, `not valid YAML: ${yamlProblem(error, text)}`);
    }
  });
}

/**
 * Why a parse failed, in one line, with the line and column when the parser knows them (`text`
 * is what was parsed): an alias bomb said as such, and so is nesting deep enough to exhaust the
 * parser's stack (the yaml package composes recursively: some thousands of "[" are enough).
 */
export function yamlProblem(error: unknown, text?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError || /maximum call stack/i.test(message)) {
    return 'nested too deeply (the parser ran out of stack): refused; no document of ours nests more than a few dozen levels';
  }
  if (/alias count|resource exhaustion/i.test(message)) return `too many aliases (more than ${MAX_YAML_ALIASES} expansions): refused as a possible alias bomb`;
  const first = message.split('\n')[0] ?? message;
  const offset = (error as { pos?: unknown }).pos;
  if (text === undefined || !Array.isArray(offset) || typeof offset[0] !== 'number') return first;
  const before = text.slice(0, offset[0]);
  const line = before.split('\n').length;
  return `${first} (line ${line}, column ${offset[0] - before.lastIndexOf('\n')})`;
}
