// A workload profile, compiled: what the load driver walks. Actions made of HTTP request
// templates, a Markov chain (or flat mix) between them, think times, the users' browser-cache
// behaviour. Compiling checks everything a person could get wrong and names the field
// (`matrix.Login[3]`, `actions[1].requests[0].capture[0].regex`); after that the driver never
// meets a bad profile.
import { InvalidInputError } from '../invalid/index.ts';
import { parseDuration, requireAtMost, requirePositive } from '../quantity/index.ts';
import { compileBody, type BodyTemplate } from './body.ts';
import { ActionMix } from './mix.ts';
import { compileTemplate, type Template, type TemplateNames } from './template.ts';
import type { ThinkTime } from './think-time.ts';
import { DEFAULT_CAP_FACTOR } from './think-time.ts';
import type { ActionDocument, CaptureDocument, ProfileDocument, RequestDocument } from './profile-schema.ts';

/** How far a row of the matrix (or a flat mix) may be from summing to 1. */
export const ROW_SUM_TOLERANCE = 1e-3;

/** The longest a think time's mean, its cap and an action's timeout may be: more is a slip. */
export const MAX_THINK_MEAN = '1h';
export const MAX_THINK_CAP = '5h';
export const MAX_TIMEOUT = '1h';

export interface Profile {
  name: string;
  description: string | undefined;
  actions: readonly Action[];
  mix: ActionMix;
  think: ThinkTime;
  /** The share of users whose browser cache starts empty (Olio: 0.4). */
  coldCacheFraction: number;
  /** Headers of every request, lower-case names. */
  headers: readonly (readonly [string, string])[];
  /** Variables every user starts with. */
  initialVars: readonly Assignment[];
  /** Variables forgotten when a session ends. */
  sessionVars: ReadonlySet<string>;
  params: Readonly<Record<string, string | number>>;
}

export interface Action {
  name: string;
  index: number;
  timeoutMs: number;
  lets: readonly Assignment[];
  requests: readonly RequestStep[];
}

export interface Assignment {
  name: string;
  value: Template;
}

export interface Condition {
  name: string;
  /** true: the variable must be set (and not empty); false: it must not. */
  set: boolean;
}

export interface RequestStep {
  method: string;
  path: Template;
  headers: readonly (readonly [string, Template])[];
  body: BodyTemplate | undefined;
  when: readonly Condition[];
  probability: number;
  timed: boolean;
  expectStatus: ReadonlySet<number> | undefined;
  bodyMatches: RegExp | undefined;
  bodyNotMatches: RegExp | undefined;
  captures: readonly Capture[];
  resources: readonly ResourceRule[];
  set: readonly Assignment[];
  unset: readonly string[];
  endSession: boolean;
  /** Whether anything reads the response body (else the driver only counts its bytes). */
  readsBody: boolean;
}

export type Capture =
  | { var: string; from: 'body'; regex: RegExp; pick: 'first' | 'last' | 'random'; onMissing: 'keep' | 'unset' | 'fail' }
  | { var: string; from: 'header'; header: string; onMissing: 'keep' | 'unset' | 'fail' }
  | { var: string; from: 'cookie'; cookie: string; onMissing: 'keep' | 'unset' | 'fail' };

export interface ResourceRule {
  paths: readonly string[];
  /** Global flag: every match's first group is a path. */
  regex: RegExp | undefined;
  cache: 'static' | 'session' | 'none';
}

/** Compiles a checked document; `overrides` replace parameters (e.g. the app's scale). */
export function compileProfile(document: ProfileDocument, overrides: Record<string, string | number> = {}): Profile {
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(document.params, name)) {
      throw new InvalidInputError(`params.${name}`, `profile "${document.name}" has no parameter "${name}" (it has: ${Object.keys(document.params).join(', ') || 'none'})`);
    }
  }
  const params = { ...document.params, ...overrides };
  const names: TemplateNames = { params, variables: declaredVariables(document) };
  const actionIndex = new Map(document.actions.map((action, i) => [action.name, i]));
  if (actionIndex.size !== document.actions.length) {
    const seen = new Set<string>();
    document.actions.forEach((action, i) => {
      if (seen.has(action.name)) throw new InvalidInputError(`actions[${i}].name`, `action "${action.name}" is defined twice`);
      seen.add(action.name);
    });
  }
  const timeoutMs = requireAtMost('timeout', requirePositive('timeout', parseDuration('timeout', document.timeout)), MAX_TIMEOUT);
  for (const name of document.sessionVars) {
    if (!names.variables.has(name)) throw new InvalidInputError('sessionVars', `"${name}" is not a variable any action sets`);
  }
  return {
    name: document.name,
    description: document.description,
    actions: document.actions.map((action, i) => compileAction(action, i, timeoutMs, names)),
    mix: compileMix(document, actionIndex),
    think: compileThink(document.think),
    coldCacheFraction: document.cache.coldFraction,
    headers: Object.entries(document.headers).map(([name, value]) => [name.toLowerCase(), value] as const),
    initialVars: Object.entries(document.vars).map(([name, value]) => ({ name, value: compileTemplate(value, `vars.${name}`, names) })),
    sessionVars: new Set(document.sessionVars),
    params,
  };
}

/** Every name a user variable can have: initial vars, lets, captures, sets. */
function declaredVariables(document: ProfileDocument): Set<string> {
  const names = new Set(Object.keys(document.vars));
  for (const action of document.actions) {
    for (const name of Object.keys(action.let)) names.add(name);
    for (const request of action.requests) {
      for (const capture of request.capture) names.add(capture.var);
      for (const name of Object.keys(request.set)) names.add(name);
    }
  }
  for (const name of names) {
    if (Object.hasOwn(document.params, name)) throw new InvalidInputError(`params.${name}`, `"${name}" is both a parameter and a variable; rename one`);
  }
  return names;
}

function compileThink(think: ProfileDocument['think']): ThinkTime {
  const meanMs = requireAtMost('think.mean', parseDuration('think.mean', think.mean), MAX_THINK_MEAN);
  if (think.distribution !== 'fixed') requirePositive('think.mean', meanMs);
  const maxMs = think.max === undefined ? DEFAULT_CAP_FACTOR * meanMs : requireAtMost('think.max', parseDuration('think.max', think.max), MAX_THINK_CAP);
  if (maxMs < meanMs) throw new InvalidInputError('think.max', `the cap (${maxMs} ms) is below the mean (${meanMs} ms)`);
  return { distribution: think.distribution, mode: think.mode, meanMs, maxMs };
}

function compileMix(document: ProfileDocument, actionIndex: ReadonlyMap<string, number>): ActionMix {
  const count = document.actions.length;
  const start = document.start === undefined ? 0 : actionIndex.get(document.start);
  if (start === undefined) throw new InvalidInputError('start', unknownAction(document.start ?? '', actionIndex));
  if (document.matrix && document.mix) throw new InvalidInputError('mix', 'give either a matrix or a flat mix, not both');
  if (document.mix) {
    const weights = new Array<number>(count).fill(0);
    for (const [name, p] of Object.entries(document.mix)) {
      const index = actionIndex.get(name);
      if (index === undefined) throw new InvalidInputError(`mix.${name}`, unknownAction(name, actionIndex));
      if (!(p >= 0)) throw new InvalidInputError(`mix.${name}`, `a probability must be 0 or more (got ${p})`);
      weights[index] = p;
    }
    checkSum('mix', weights);
    return ActionMix.flat(weights, start);
  }
  if (!document.matrix) {
    if (count === 1) return ActionMix.flat([1], 0);
    throw new InvalidInputError('matrix', `a profile with ${count} actions needs a transition matrix (matrix) or a flat mix (mix)`);
  }
  const rows: number[][] = [];
  for (const name of Object.keys(document.matrix)) {
    if (!actionIndex.has(name)) throw new InvalidInputError(`matrix.${name}`, unknownAction(name, actionIndex));
  }
  for (const action of document.actions) {
    const row = document.matrix[action.name];
    const field = `matrix.${action.name}`;
    if (row === undefined) throw new InvalidInputError(field, `no row for action "${action.name}" (every action needs one)`);
    if (row.length !== count) {
      throw new InvalidInputError(field, `has ${row.length} entries; it needs ${count}, one per action in the order of actions (${[...actionIndex.keys()].join(', ')})`);
    }
    row.forEach((p, to) => {
      if (!(p >= 0 && p <= 1)) throw new InvalidInputError(`${field}[${to}]`, `a probability must be between 0 and 1 (got ${p})`);
    });
    checkSum(field, row);
    rows.push(row);
  }
  return checkReach(new ActionMix(rows, start), document.actions);
}

/**
 * A matrix that traps users (an action, or a group, they never leave) would measure those
 * actions only after the first minutes, and one that never leads to an action would judge it on
 * no data: both are slips, refused naming the row to fix.
 */
function checkReach(mix: ActionMix, actions: readonly ActionDocument[]): ActionMix {
  const name = (index: number): string => actions[index]?.name ?? String(index);
  const reached = mix.reachableFrom(mix.start);
  const unreached = actions.map((_, i) => i).filter((i) => i !== mix.start && !reached.has(i));
  if (unreached.length > 0) {
    throw new InvalidInputError(
      'matrix',
      `no row leads to ${unreached.map(name).join(', ')} from the start action ${name(mix.start)}: users never do ${unreached.length === 1 ? 'it' : 'them'} (give ${unreached.length === 1 ? 'it' : 'them'} a probability in some reachable row, or remove ${unreached.length === 1 ? 'the action' : 'those actions'})`,
    );
  }
  const trap = mix.trap();
  if (trap) {
    throw new InvalidInputError(
      `matrix.${name(trap.at)}`,
      `traps users: after ${name(trap.at)} they never do ${trap.never.map(name).join(', ')} again (give this row, or a row it leads to, a probability towards them)`,
    );
  }
  return mix;
}

function checkSum(field: string, row: readonly number[]): void {
  const sum = row.reduce((total, p) => total + p, 0);
  if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) throw new InvalidInputError(field, `probabilities sum to ${Number(sum.toFixed(6))}; they must sum to 1 (within ${ROW_SUM_TOLERANCE})`);
}

function unknownAction(name: string, actionIndex: ReadonlyMap<string, number>): string {
  return `unknown action "${name}" (actions: ${[...actionIndex.keys()].join(', ')})`;
}

function compileAction(action: ActionDocument, index: number, defaultTimeoutMs: number, names: TemplateNames): Action {
  const field = `actions[${index}]`;
  const timeoutMs = action.timeout === undefined ? defaultTimeoutMs : requireAtMost(`${field}.timeout`, requirePositive(`${field}.timeout`, parseDuration(`${field}.timeout`, action.timeout)), MAX_TIMEOUT);
  const requests = action.requests.map((request, i) => compileRequest(request, `${field}.requests[${i}]`, names));
  if (!requests.some((request) => request.timed)) throw new InvalidInputError(`${field}.requests`, 'at least one request must be timed');
  return {
    name: action.name,
    index,
    timeoutMs,
    lets: Object.entries(action.let).map(([name, value]) => ({ name, value: compileTemplate(value, `${field}.let.${name}`, names) })),
    requests,
  };
}

function compileRequest(request: RequestDocument, field: string, names: TemplateNames): RequestStep {
  const captures = request.capture.map((capture, i) => compileCapture(capture, `${field}.capture[${i}]`));
  const resources = request.resources.map((rule, i) => {
    const at = `${field}.resources[${i}]`;
    if (!rule.paths && rule.regex === undefined) throw new InvalidInputError(at, 'give paths, a regex, or both');
    for (const [j, path] of (rule.paths ?? []).entries()) {
      if (!path.startsWith('/')) throw new InvalidInputError(`${at}.paths[${j}]`, `a path must start with / (got "${path}")`);
    }
    return { paths: rule.paths ?? [], regex: rule.regex === undefined ? undefined : compileRegex(rule.regex, `${at}.regex`, 'g'), cache: rule.cache };
  });
  const bodyMatches = request.expect?.bodyMatches === undefined ? undefined : compileRegex(request.expect.bodyMatches, `${field}.expect.bodyMatches`);
  const bodyNotMatches = request.expect?.bodyNotMatches === undefined ? undefined : compileRegex(request.expect.bodyNotMatches, `${field}.expect.bodyNotMatches`);
  const path = compileTemplate(request.path, `${field}.path`, names);
  if (path.constant !== undefined && !path.constant.startsWith('/')) throw new InvalidInputError(`${field}.path`, `a path must start with / (got "${path.constant}")`);
  return {
    method: request.method,
    path,
    headers: Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), compileTemplate(value, `${field}.headers.${name}`, names)] as const),
    body: compileBody(request, field, names),
    when: compileConditions(request.when, `${field}.when`, names),
    probability: request.probability,
    timed: request.timed,
    expectStatus: request.expect?.status ? new Set(request.expect.status) : undefined,
    bodyMatches,
    bodyNotMatches,
    captures,
    resources,
    set: Object.entries(request.set).map(([name, value]) => ({ name, value: compileTemplate(value, `${field}.set.${name}`, names) })),
    unset: request.unset.map((name, i) => {
      if (!names.variables.has(name)) throw new InvalidInputError(`${field}.unset[${i}]`, `"${name}" is not a variable any action sets`);
      return name;
    }),
    endSession: request.endSession,
    readsBody: captures.some((capture) => capture.from === 'body') || resources.some((rule) => rule.regex !== undefined) || bodyMatches !== undefined || bodyNotMatches !== undefined,
  };
}

function compileConditions(when: string | string[] | undefined, field: string, names: TemplateNames): Condition[] {
  if (when === undefined) return [];
  const list = Array.isArray(when) ? when : [when];
  return list.map((text, i) => {
    const at = Array.isArray(when) ? `${field}[${i}]` : field;
    const trimmed = text.trim();
    const set = !trimmed.startsWith('!');
    const name = set ? trimmed : trimmed.slice(1).trim();
    if (!names.variables.has(name)) throw new InvalidInputError(at, `"${name}" is not a variable any action sets (write "name" or "!name")`);
    return { name, set };
  });
}

function compileCapture(capture: CaptureDocument, field: string): Capture {
  const sources = (['regex', 'header', 'cookie'] as const).filter((key) => capture[key] !== undefined);
  if (sources.length !== 1) throw new InvalidInputError(field, `a capture reads exactly one of regex, header or cookie (found ${sources.length === 0 ? 'none' : sources.join(' and ')})`);
  if (capture.regex !== undefined) {
    return { var: capture.var, from: 'body', regex: compileRegex(capture.regex, `${field}.regex`, 'g'), pick: capture.pick, onMissing: capture.onMissing };
  }
  if (capture.header !== undefined) return { var: capture.var, from: 'header', header: capture.header.toLowerCase(), onMissing: capture.onMissing };
  return { var: capture.var, from: 'cookie', cookie: capture.cookie ?? '', onMissing: capture.onMissing };
}

function compileRegex(source: string, field: string, flags = ''): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new InvalidInputError(field, `not a valid regular expression: ${(error as Error).message}`);
  }
}
