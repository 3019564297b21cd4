// Request templates: text with `{{ ... }}` holes filled per request. A hole is a variable of the
// user (`{{selectedEvent}}`: set by `let`, a capture, `set` or the profile's `vars`), a profile
// parameter (`{{scale}}`, fixed when the profile is compiled), or a generator of random but valid
// values (`{{int 1 scale}}`, `{{text 15 20}}`). Templates are compiled once into parts, so that
// rendering is a few string concatenations on the hot path.
import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../invalid/index.ts';
import type { Random } from './random.ts';

/** What a rendering needs from the simulated user. */
export interface TemplateScope {
  readonly random: Random;
  /** The user's number, 1-based, unique in the run. */
  readonly userNumber: number;
  variable(name: string): string | undefined;
  /** A per-user counter, 1, 2, 3... */
  nextSequence(): number;
}

type Part = string | ((scope: TemplateScope) => string);

export class Template {
  readonly #parts: readonly Part[];
  /** The variables the template reads (for validation and for `when`). */
  readonly variables: readonly string[];
  /** The text when the template has no holes (or only parameters). */
  readonly constant: string | undefined;

  constructor(parts: readonly Part[], variables: readonly string[]) {
    this.#parts = parts;
    this.variables = variables;
    this.constant = parts.length === 0 ? '' : parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : undefined;
  }

  render(scope: TemplateScope): string {
    if (this.constant !== undefined) return this.constant;
    let text = '';
    for (const part of this.#parts) text += typeof part === 'string' ? part : part(scope);
    return text;
  }
}

export interface TemplateNames {
  /** Profile parameters, fixed at compile time. */
  params: Readonly<Record<string, string | number>>;
  /** Variables a user may hold when the template is rendered. */
  variables: ReadonlySet<string>;
}

const HOLE = /\{\{(.*?)\}\}/g;

/** Compiles `text`; `field` names where it came from (e.g. `actions[2].requests[0].path`). */
export function compileTemplate(text: string, field: string, names: TemplateNames): Template {
  const parts: Part[] = [];
  const variables: string[] = [];
  let literal = '';
  let last = 0;
  for (const match of text.matchAll(HOLE)) {
    literal += text.slice(last, match.index);
    last = match.index + match[0].length;
    const words = splitWords(match[1] ?? '', field);
    const [head, ...args] = words;
    if (head === undefined) throw new InvalidInputError(field, `empty {{ }} in "${text}"`);
    const generator = GENERATORS[head];
    if (generator) {
      const resolved = args.map((arg) => resolveArgument(arg, names));
      const fill = generator(resolved, `${field} {{${match[1]?.trim()}}}`);
      if (typeof fill === 'string') literal += fill;
      else {
        if (literal) parts.push(literal);
        literal = '';
        parts.push(fill);
      }
      continue;
    }
    if (args.length > 0) throw new InvalidInputError(field, `unknown generator "${head}" in "${text}" (generators: ${Object.keys(GENERATORS).join(', ')})`);
    if (Object.hasOwn(names.params, head)) {
      literal += String(names.params[head]);
      continue;
    }
    if (!names.variables.has(head)) {
      const known = [...names.variables, ...Object.keys(names.params)].sort();
      throw new InvalidInputError(field, `unknown variable or generator "${head}" in "${text}" (variables: ${known.join(', ') || 'none'}; generators: ${Object.keys(GENERATORS).join(', ')})`);
    }
    variables.push(head);
    if (literal) parts.push(literal);
    literal = '';
    parts.push((scope) => scope.variable(head) ?? '');
  }
  literal += text.slice(last);
  if (literal) parts.push(literal);
  return new Template(parts, variables);
}

/** Words of a hole: bare words and "double-quoted" ones (for values with spaces). */
function splitWords(inner: string, field: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of inner.matchAll(pattern)) {
    if (match[1] !== undefined) words.push(match[1].replace(/\\(.)/g, '$1'));
    else if (match[2] !== undefined) {
      if (match[2].includes('"')) throw new InvalidInputError(field, `unbalanced quote in {{${inner}}}`);
      words.push(match[2]);
    }
  }
  return words;
}

function resolveArgument(arg: string, names: TemplateNames): string {
  return Object.hasOwn(names.params, arg) ? String(names.params[arg]) : arg;
}

// ---------------------------------------------------------------------------------------------
// Generators: each checks its arguments once, at compile time, and returns either a constant or
// a function of the scope.

type Generator = (args: readonly string[], where: string) => string | ((scope: TemplateScope) => string);

function integer(arg: string | undefined, where: string, what: string): number {
  const value = Number(arg);
  if (arg === undefined || !Number.isInteger(value)) throw new InvalidInputError(where, `${what} must be an integer (got ${arg ?? 'nothing'})`);
  return value;
}

function range(args: readonly string[], where: string, what: string): [number, number] {
  const min = integer(args[0], where, `the minimum ${what}`);
  const max = integer(args[1], where, `the maximum ${what}`);
  if (args.length !== 2) throw new InvalidInputError(where, `takes two arguments, a minimum and a maximum ${what}`);
  if (min > max) throw new InvalidInputError(where, `the minimum ${what} (${min}) is above the maximum (${max})`);
  return [min, max];
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

function letters(random: Random, length: number): string {
  let word = '';
  for (let i = 0; i < length; i += 1) word += LETTERS[random.uint32() % 26];
  return word;
}

/**
 * Unique across runs and processes: a random tag per process, then a counter of the process (not
 * of the user: two runs in one process, e.g. two shards of a worker, number their users alike).
 */
const RUN_TAG = randomBytes(4).readUInt32BE(0).toString(36);
let uniqueCounter = 0;

const GENERATORS: Record<string, Generator> = {
  /** A uniform integer in [min, max]. */
  int: (args, where) => {
    const [min, max] = range(args, where, 'value');
    return (scope) => String(scope.random.int(min, max));
  },
  /** N random decimal digits. */
  digits: (args, where) => {
    const count = integer(args[0], where, 'the number of digits');
    return (scope) => {
      let text = '';
      for (let i = 0; i < count; i += 1) text += String(scope.random.uint32() % 10);
      return text;
    };
  },
  /** A word of lowercase letters, its length in [min, max]. */
  word: (args, where) => {
    const [min, max] = range(args, where, 'length');
    return (scope) => letters(scope.random, scope.random.int(min, max));
  },
  /** Words separated by spaces, the whole text's length in [min, max]. */
  text: (args, where) => {
    const [min, max] = range(args, where, 'length');
    return (scope) => {
      const length = scope.random.int(min, max);
      let text = '';
      while (text.length < length) {
        if (text.length > 0) text += ' ';
        text += letters(scope.random, scope.random.int(2, 10));
      }
      return text.slice(0, length).trimEnd().padEnd(length, 'x');
    };
  },
  /** One of the arguments. */
  pick: (args, where) => {
    if (args.length === 0) throw new InvalidInputError(where, 'pick needs at least one value');
    return (scope) => scope.random.pick(args);
  },
  /** Between minCount and maxCount distinct values `<prefix><n>`, n in [min, max], space-separated. */
  sample: (args, where) => {
    if (args.length !== 5) throw new InvalidInputError(where, 'sample takes minCount maxCount prefix min max (e.g. {{sample 1 7 tag 1 50}})');
    const [minCount, maxCount] = range(args.slice(0, 2), where, 'count');
    const prefix = args[2] ?? '';
    const [min, max] = range(args.slice(3), where, 'value');
    if (maxCount > max - min + 1) throw new InvalidInputError(where, `cannot draw ${maxCount} distinct values from ${min}..${max}`);
    return (scope) => {
      const count = scope.random.int(minCount, maxCount);
      const chosen = new Set<number>();
      while (chosen.size < count) chosen.add(scope.random.int(min, max));
      return [...chosen].map((n) => `${prefix}${n}`).join(' ');
    };
  },
  /** The user's own counter: 1, 2, 3... */
  seq: (args, where) => {
    if (args.length > 0) throw new InvalidInputError(where, 'seq takes no arguments');
    return (scope) => String(scope.nextSequence());
  },
  /** The simulated user's number (1-based). */
  user: (args, where) => {
    if (args.length > 0) throw new InvalidInputError(where, 'user takes no arguments');
    return (scope) => String(scope.userNumber);
  },
  /** A value no other request of any run repeats (letters and digits only). */
  unique: (args, where) => {
    if (args.length > 0) throw new InvalidInputError(where, 'unique takes no arguments');
    return () => {
      uniqueCounter += 1;
      return `${RUN_TAG}x${uniqueCounter.toString(36)}`;
    };
  },
  /** The current year plus an offset: a date field that is always in the future. */
  year: (args, where) => {
    const offset = args.length === 0 ? 0 : integer(args[0], where, 'the year offset');
    return () => String(new Date().getFullYear() + offset);
  },
};

export const GENERATOR_NAMES: readonly string[] = Object.keys(GENERATORS);
