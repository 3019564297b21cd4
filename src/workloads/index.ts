// Workloads: the profiles the load driver walks. `loadProfile('olio')` gives the built-in Olio
// profile; `loadProfile('shop.yaml')` reads a custom one, a plain profile or a WorkloadProfile
// manifest. Either way the result is checked and compiled, or refused with the field to fix.
import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../invalid/index.ts';
import { YAML_LIMITS, yamlProblem } from '../invalid/yaml.ts';
import { parse as parseYaml } from 'yaml';
import { olioProfileDocument } from './olio.ts';
import { compileProfile, type Profile } from './profile.ts';
import { parseProfileDocument } from './profile-schema.ts';

export { compileProfile, MAX_THINK_CAP, MAX_THINK_MEAN, MAX_TIMEOUT, ROW_SUM_TOLERANCE } from './profile.ts';
export type { Action, Assignment, Capture, Condition, Profile, RequestStep, ResourceRule } from './profile.ts';
export { MAX_PROFILE_ACTIONS, matrixOf, matrixRow, parseProfileDocument, profileBody, type ProfileDocument, type ProfileDocumentInput } from './profile-schema.ts';
export { OLIO_ACTIONS, OLIO_MATRIX_PERCENT, OLIO_SLA_SECONDS, olioProfileDocument } from './olio.ts';
export { ActionMix } from './mix.ts';
export { Random } from './random.ts';
export { drawDelay, nextStart, negativeExponential, clampedNegexpMean, type ThinkTime } from './think-time.ts';
export type { Template, TemplateScope } from './template.ts';
export type { RenderedBody } from './body.ts';

export const BUILT_IN_PROFILES = ['olio'] as const;

/**
 * The profile named `spec`: a built-in one ("olio") or a YAML file. `params` override the
 * profile's parameters (for Olio: `scale`, the app's number of seeded users, and `tags`).
 */
export function loadProfile(spec: string, params: Record<string, string | number> = {}): Profile {
  if (spec === 'olio') {
    const { scale, tags, ...rest } = params;
    for (const name of Object.keys(rest)) throw new InvalidInputError(`params.${name}`, 'the olio profile has the parameters scale and tags only');
    const document = olioProfileDocument({ scale: toInteger('params.scale', scale), tags: toInteger('params.tags', tags) });
    return compileProfile(parseProfileDocument(document, 'the built-in olio profile'));
  }
  return readProfileFile(spec, params);
}

function toInteger(field: string, value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidInputError(field, `must be a whole number of 1 or more (got ${value})`);
  return number;
}

/** A plain profile file (a WorkloadProfile manifest is the API's to read: src/cli/profile-file.ts). */
function readProfileFile(path: string, params: Record<string, string | number>): Profile {
  return compileProfile(parseProfileDocument(readProfileYaml(path), path), params);
}

/** The YAML document of a profile file, or a refusal naming --profile. */
export function readProfileYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError('--profile', `cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give "olio" or a YAML profile file`);
  }
  let value: unknown;
  try {
    value = parseYaml(text, YAML_LIMITS);
  } catch (error) {
    throw new InvalidInputError('--profile', `${path} is not valid YAML: ${yamlProblem(error, text)}`);
  }
  return value;
}
