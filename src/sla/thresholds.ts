// The SLA a run is judged against. By default the Cloudstone SLA the study used (and Olio's
// Faban driver declares as max90th): in any 5-minute window of steady state, the 90th and 99th
// percentile response time of each action must stay under its threshold.
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../invalid/index.ts';
import { parseDuration, requirePositive } from '../quantity/index.ts';
import { userKeyed } from '../recording/user-keyed.ts';

export const CLOUDSTONE_THRESHOLDS_MS: Readonly<Record<string, number>> = Object.freeze({
  HomePage: 1000,
  Login: 1000,
  TagSearch: 2000,
  EventDetail: 2000,
  PersonDetail: 2000,
  AddPerson: 3000,
  AddEvent: 4000,
});

export const DEFAULT_WINDOW_MS = 5 * 60_000;
export const DEFAULT_STEP_MS = 1000;
export const DEFAULT_PERCENTILES: readonly number[] = Object.freeze([90, 99]);

/** An SLA as a person writes it in a file; anything left out keeps its default. */
export interface SlaSpec {
  thresholds?: Record<string, number>;
  /** The threshold of every action `thresholds` does not name. */
  defaultThreshold?: number;
  window?: number;
  step?: number;
  percentiles?: number[];
}

/**
 * Reads an SLA file: `thresholds: {HomePage: 1s, ...}` (replacing the Cloudstone thresholds as a
 * whole), and optionally `defaultThreshold` (for the actions it does not name), `window`, `step`
 * (durations) and `percentiles` (a list). Every refusal names the field, prefixed by the file's path.
 */
export async function readSlaFile(path: string): Promise<SlaSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError('--sla', `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  // The YAML parser is imported here, not at the top: `migrascope analyze` without --sla never needs it.
  const [{ parse: parseYaml }, { YAML_LIMITS, yamlProblem }] = await Promise.all([import('yaml'), import('../invalid/yaml.ts')]);
  let document: unknown;
  try {
    document = parseYaml(text, YAML_LIMITS);
  } catch (error) {
    throw new InvalidInputError(path, `not YAML (${yamlProblem(error, text)})`);
  }
  return slaSpecFrom(document, path);
}

const KNOWN_FIELDS = new Set(['thresholds', 'defaultThreshold', 'window', 'step', 'percentiles']);

/** An SLA from a parsed document (YAML, or a resource's spec); `source` prefixes every field named. */
export function slaSpecFrom(document: unknown, source: string): SlaSpec {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new InvalidInputError(source, 'expected a mapping with "thresholds" (e.g. thresholds: {HomePage: 1s})');
  }
  const fields = document as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(key)) throw new InvalidInputError(`${source}: ${key}`, `unknown field (expected ${[...KNOWN_FIELDS].join(', ')})`);
  }
  const spec: SlaSpec = {};
  if (fields.thresholds !== undefined) spec.thresholds = thresholdsFrom(fields.thresholds, `${source}: thresholds`);
  if (fields.defaultThreshold !== undefined) spec.defaultThreshold = durationFrom(`${source}: defaultThreshold`, fields.defaultThreshold);
  if (fields.window !== undefined) spec.window = wholeSeconds(`${source}: window`, durationFrom(`${source}: window`, fields.window));
  if (fields.step !== undefined) spec.step = wholeSeconds(`${source}: step`, durationFrom(`${source}: step`, fields.step));
  if (fields.percentiles !== undefined) spec.percentiles = percentilesFrom(`${source}: percentiles`, fields.percentiles);
  return spec;
}

function thresholdsFrom(value: unknown, field: string): Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(field, 'expected a mapping of action to duration (e.g. {HomePage: 1s, Login: 1s})');
  }
  const thresholds = userKeyed<number>();
  for (const [action, threshold] of Object.entries(value)) {
    thresholds[action] = durationFrom(`${field}.${action}`, threshold);
  }
  if (Object.keys(thresholds).length === 0) throw new InvalidInputError(field, 'names no action');
  return thresholds;
}

/** The thresholds of a workload's actions: the judged ones, and those left without a verdict. */
export interface ActionThresholds {
  /** Threshold in ms of each judged action; no other action's. */
  thresholds: Record<string, number>;
  /** The workload's actions that have no threshold: measured, not judged. */
  unjudged: string[];
}

export interface ActionThresholdsOptions {
  /** The workload's name, for the refusal of an action it does not have. */
  workload: string;
  /** The SLA file's thresholds and defaultThreshold, if any. */
  spec: SlaSpec;
  /** Where `spec` came from (the file's path), prefixed to the field a refusal names. */
  source: string;
  /** The workload's own thresholds when the file gives none (the Cloudstone SLA for Olio). */
  builtIn?: Readonly<Record<string, number>>;
  /** A default threshold given on the command line; it wins over the file's. */
  defaultThreshold?: number;
}

/**
 * Which of a workload's actions are judged and against what: the file's thresholds (or the
 * workload's own), then the default threshold for the actions left. A threshold for an action the
 * workload does not have is a mistake (a typo, or the SLA of another application) and is refused.
 */
export function thresholdsForActions(actions: readonly string[], options: ActionThresholdsOptions): ActionThresholds {
  const known = new Set(actions);
  for (const action of Object.keys(options.spec.thresholds ?? {})) {
    if (!known.has(action)) {
      throw new InvalidInputError(`${options.source}: thresholds.${action}`, `the ${options.workload} profile has no action "${action}"; its actions are ${actions.join(', ')}`);
    }
  }
  const given = options.spec.thresholds ?? options.builtIn ?? {};
  const fallback = options.defaultThreshold ?? options.spec.defaultThreshold;
  const thresholds = userKeyed<number>();
  const unjudged: string[] = [];
  for (const action of actions) {
    const threshold = (Object.hasOwn(given, action) ? given[action] : undefined) ?? fallback;
    if (threshold === undefined) unjudged.push(action);
    else thresholds[action] = threshold;
  }
  return { thresholds, unjudged };
}

function durationFrom(field: string, value: unknown): number {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new InvalidInputError(field, `expected a duration such as 2s or 500ms (got ${JSON.stringify(value)})`);
  }
  return requirePositive(field, parseDuration(field, value));
}

/** Per-second data cannot be cut inside a second, so windows and steps are whole seconds. */
export function wholeSeconds(field: string, ms: number): number {
  requirePositive(field, ms);
  if (ms % 1000 !== 0) throw new InvalidInputError(field, `must be a whole number of seconds (got ${ms} ms)`);
  return ms;
}

/** Percentiles from a list [90, 99] or a text "90,99"; each in (0, 100]. */
export function percentilesFrom(field: string, value: unknown): number[] {
  const items = typeof value === 'string' ? value.split(',').map((part) => part.trim()) : value;
  if (!Array.isArray(items) || items.length === 0) throw new InvalidInputError(field, 'expected a list of percentiles, e.g. 90,99');
  const percentiles = items.map((item: unknown) => {
    const number = typeof item === 'string' && item !== '' ? Number(item) : item;
    if (typeof number !== 'number' || !(number > 0 && number <= 100)) {
      throw new InvalidInputError(field, `each percentile must be a number in (0, 100] (got ${JSON.stringify(item)})`);
    }
    return number;
  });
  return [...new Set(percentiles)].sort((a, b) => a - b);
}
