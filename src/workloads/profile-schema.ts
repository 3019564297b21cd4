// The shape of a workload profile as a person writes it (YAML, or the built-in Olio profile as
// data). zod checks the shape; a mistake is refused with the path of the field to fix
// (`actions[2].requests[0].capture[1].regex`). What zod cannot see (rows summing to 1, names
// that must exist, regexes and templates that must compile) is checked by the compiler in
// profile.ts, which names fields the same way.
import { z } from 'zod';
import { InvalidInputError } from '../invalid/index.ts';

// The Kubernetes side: the same schema is the spec of the WorkloadProfile resource, so every field
// carries a description and a bound (the API server's CEL cost budget needs bounded lists), and the
// two fields that take either a string or a number say so the way a CRD can (int-or-string).

/** Either a string or an integer, which a CRD can say (x-kubernetes-int-or-string); zod checks which. */
const intOrString = () => z.union([z.string().max(64), z.int()]).meta({ 'x-kubernetes-int-or-string': true });
/** A duration: "5s", "500ms", "1m30s", or a number of milliseconds. */
const duration = () => intOrString().describe('A duration: 5s, 500ms, 1m30s, or a whole number of milliseconds.');
/** A size: "20KiB", "1MB", or a number of bytes. */
const size = () => intOrString().describe('A size: 20KiB, 1MB, or a whole number of bytes.');
const headers = () => z.record(z.string().max(256), z.string().max(8192)).meta({ maxProperties: 64 });
const regex = () => z.string().min(1).max(4096);

const condition = z
  .union([z.string().max(256), z.array(z.string().max(256)).max(16)])
  .meta({ 'x-kubernetes-preserve-unknown-fields': true })
  .describe('Variables that must be set ("name") or unset ("!name") for the request to be made: one, or a list.');

const capture = z
  .object({
    var: z.string().min(1).max(128).describe('The user variable that receives the value.'),
    regex: regex().optional().describe('A regular expression over the body; its first group (or the whole match) is the value.'),
    header: z.string().min(1).max(256).optional().describe("A response header's value."),
    cookie: z.string().min(1).max(256).optional().describe('A cookie the response sets.'),
    pick: z.enum(['first', 'last', 'random']).default('first').describe('Which match of a regex: the first, the last, or one at random.'),
    onMissing: z
      .enum(['keep', 'unset', 'fail'])
      .default('keep')
      .describe("No match: keep the variable's previous value, unset it, or fail the action."),
  })
  .strict();

const resources = z
  .object({
    paths: z.array(z.string().min(1).max(2048)).max(256).optional().describe('Fixed paths, as a page\'s <link>/<script>/<img> list them.'),
    regex: regex().optional().describe("A regular expression over the page; each match's first group is a path to load."),
    cache: z
      .enum(['static', 'session', 'none'])
      .default('static')
      .describe(
        'static: skipped by users whose browser cache starts warm, else loaded once until logout; session: loaded once per user until logout; none: loaded every time.',
      ),
  })
  .strict();

const file = z
  .object({
    field: z.string().min(1).max(256).describe('The form field.'),
    filename: z.string().min(1).max(256).describe('The file name the form sends.'),
    contentType: z.string().max(256).default('application/octet-stream'),
    size: size().optional().describe('Generated content of this size (a JPEG or PDF skeleton when the type, or for application/octet-stream the file name, says so).'),
    path: z.string().max(4096).optional().describe('Or the content of a local file (local runs only: a worker in a cluster has no such file).'),
  })
  .strict();

const request = z
  .object({
    method: z
      .string()
      .max(16)
      .regex(/^[A-Z]+$/, 'an HTTP method in capitals (GET, POST...)')
      .default('GET'),
    path: z.string().min(1).max(2048).describe('The path and query, a template: /events/{{event}}?tab=1.'),
    headers: headers().optional().describe('Request headers, templates.'),
    form: z.record(z.string().max(256), z.string().max(65536)).meta({ maxProperties: 128 }).optional().describe('application/x-www-form-urlencoded fields.'),
    json: z.unknown().meta({ 'x-kubernetes-preserve-unknown-fields': true }).optional().describe('A JSON body; every string in it is a template.'),
    multipart: z
      .object({
        fields: z.record(z.string().max(256), z.string().max(65536)).meta({ maxProperties: 128 }).default({}),
        files: z.array(file).max(16).default([]),
      })
      .strict()
      .optional()
      .describe('multipart/form-data: text fields and files.'),
    body: z.string().max(1_048_576).optional().describe('A raw body (set content-type in headers).'),
    when: condition.optional(),
    probability: z.number().min(0).max(1).default(1).describe("The chance that the request is made at all (0..1); e.g. Olio's attend 10 % of the time."),
    timed: z.boolean().default(true).describe('false: made, but outside the action\'s response time (e.g. the logout before AddPerson).'),
    expect: z
      .object({
        status: z.array(z.int().min(100).max(599)).max(32).optional().describe('Statuses that count as success (default: below 400).'),
        bodyMatches: regex().optional().describe('A regular expression the body must match.'),
        bodyNotMatches: regex().optional().describe('A regular expression the body must not match.'),
      })
      .strict()
      .optional()
      .describe('What makes the response a success.'),
    capture: z.array(capture).max(32).default([]).describe('Values read from the response into user variables.'),
    resources: z.array(resources).max(32).default([]).describe('What the page makes a browser load next (statics, images).'),
    set: z.record(z.string().max(128), z.string().max(4096)).meta({ maxProperties: 32 }).default({}).describe('Variables set after the request succeeded.'),
    unset: z.array(z.string().max(128)).max(32).default([]).describe('Variables unset after the request succeeded.'),
    endSession: z.boolean().default(false).describe('The user logs out: cookies, cache and session variables are forgotten.'),
  })
  .strict();

const action = z
  .object({
    name: z
      .string()
      .max(64)
      .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'a name of letters, digits, _ . -, starting with a letter')
      .describe('The action as tables, metrics and SLA thresholds name it.'),
    let: z.record(z.string().max(128), z.string().max(4096)).meta({ maxProperties: 32 }).default({}).describe('Values drawn once at the start of each run of the action, shared by its requests.'),
    timeout: duration().optional().describe("The action's timeout (default: the profile's)."),
    requests: z.array(request).min(1).max(64).describe('The HTTP requests of one action, in order.'),
  })
  .strict();

/** Bounds that keep the API server's CEL checks of a profile inside their cost budget. */
export const MAX_PROFILE_ACTIONS = 64;

/** A row of the transition matrix: the chance of each next action, in the order of actions. */
export const matrixRow = z.array(z.number().min(0).max(1)).max(MAX_PROFILE_ACTIONS);

/** The matrix field around a row schema (the resource adds a CEL rule to the row). */
export function matrixOf<R extends z.ZodType<number[]>>(row: R) {
  return z
    .record(z.string().max(64), row)
    .meta({ maxProperties: MAX_PROFILE_ACTIONS })
    .optional()
    .describe('A transition matrix: a row per action, its entries (probabilities, summing to 1) in the order of actions.');
}

/** Every field of a profile but its name (a WorkloadProfile's name is its metadata.name). */
export const profileBody = {
  description: z.string().max(4096).optional().describe('What the profile models, for a person.'),
  params: z
    .record(z.string().max(128), intOrString())
    .meta({ maxProperties: 128 })
    .default({})
    .describe("Constants the templates use by name (strings or integers); an experiment's workload.params override them."),
  vars: z.record(z.string().max(128), z.string().max(4096)).meta({ maxProperties: 128 }).default({}).describe('Per-user variables given a value when the user starts.'),
  sessionVars: z.array(z.string().max(128)).max(128).default([]).describe('Variables that belong to a login session (forgotten at endSession).'),
  headers: headers().default({}).describe('Headers of every request.'),
  timeout: duration().default('30s').describe('Per action, unless the action sets its own.'),
  think: z
    .object({
      distribution: z.enum(['negexp', 'fixed', 'uniform']).default('negexp').describe('How pauses are drawn; Olio: negexp.'),
      mode: z
        .enum(['cycle', 'think'])
        .default('cycle')
        .describe('cycle: the mean runs from the start of one action to the start of the next (Faban CYCLETIME); think: the pause follows each response.'),
      mean: duration().describe('The mean pause (or cycle).'),
      max: duration().optional().describe('Longer draws are clamped to this; default 5 x the mean, as Faban.'),
    })
    .strict()
    .describe("Pauses between a user's actions."),
  cache: z
    .object({ coldFraction: z.number().min(0).max(1).describe('Share of users whose browser cache starts empty (Olio: 0.4).') })
    .strict()
    .default({ coldFraction: 1 })
    .describe('Browser caches of the simulated users.'),
  start: z.string().max(64).optional().describe('The first action of every user (default: the first listed).'),
  actions: z.array(action).min(1).max(MAX_PROFILE_ACTIONS).describe('What users do, each action one or more HTTP requests.'),
  matrix: matrixOf(matrixRow),
  mix: z
    .record(z.string().max(64), z.number().min(0).max(1))
    .meta({ maxProperties: MAX_PROFILE_ACTIONS })
    .optional()
    .describe('Or a flat mix: a probability per action, summing to 1.'),
};

export const profileDocument = z
  .object({
    name: z.string().min(1).max(253).describe('The profile\'s name.'),
    ...profileBody,
  })
  .strict();

export type ProfileDocument = z.infer<typeof profileDocument>;
export type ProfileDocumentInput = z.input<typeof profileDocument>;
export type ActionDocument = ProfileDocument['actions'][number];
export type RequestDocument = ActionDocument['requests'][number];
export type CaptureDocument = RequestDocument['capture'][number];
export type ResourceDocument = RequestDocument['resources'][number];
export type FileDocument = NonNullable<RequestDocument['multipart']>['files'][number];

/** `a.b[3].c` from zod's path array. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

/** Checks the shape; the first problem is thrown, naming its field (and `source`, the file). */
export function parseProfileDocument(value: unknown, source?: string): ProfileDocument {
  const result = profileDocument.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? fieldPath(issue.path) : '';
  let message = issue?.message ?? 'invalid profile';
  if (issue?.code === 'unrecognized_keys') message = `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  throw new InvalidInputError(field || '(top level)', source ? `${message} (in ${source})` : message);
}
