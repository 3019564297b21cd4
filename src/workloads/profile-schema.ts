// The shape of a workload profile as a person writes it (YAML, or the built-in Olio profile as
// data). zod checks the shape; a mistake is refused with the path of the field to fix
// (`actions[2].requests[0].capture[1].regex`). What zod cannot see (rows summing to 1, names
// that must exist, regexes and templates that must compile) is checked by the compiler in
// profile.ts, which names fields the same way.
import { z } from 'zod';
import { InvalidInputError } from '../invalid/index.ts';

/** A duration: "5s", "500ms", "1m30s", or a number of milliseconds. */
const duration = z.union([z.string(), z.number()]);
/** A size: "20KiB", "1MB", or a number of bytes. */
const size = z.union([z.string(), z.number()]);
const headers = z.record(z.string(), z.string());

const condition = z.union([z.string(), z.array(z.string())]);

const capture = z
  .object({
    /** The user variable that receives the value. */
    var: z.string().min(1),
    /** A regular expression over the body; its first group (or the whole match) is the value. */
    regex: z.string().optional(),
    /** A response header's value. */
    header: z.string().optional(),
    /** A cookie the response sets. */
    cookie: z.string().optional(),
    /** Which match of a regex: the first (default), the last, or one at random. */
    pick: z.enum(['first', 'last', 'random']).default('first'),
    /** No match: keep the variable's previous value (default), unset it, or fail the action. */
    onMissing: z.enum(['keep', 'unset', 'fail']).default('keep'),
  })
  .strict();

const resources = z
  .object({
    /** Fixed paths, as a page's <link>/<script>/<img> list them. */
    paths: z.array(z.string()).optional(),
    /** A regular expression over the page; each match's first group is a path to load. */
    regex: z.string().optional(),
    /**
     * static: skipped by users whose browser cache starts warm, else loaded once until logout;
     * session: loaded once per user until logout; none: loaded every time.
     */
    cache: z.enum(['static', 'session', 'none']).default('static'),
  })
  .strict();

const file = z
  .object({
    field: z.string().min(1),
    filename: z.string().min(1),
    contentType: z.string().default('application/octet-stream'),
    /** Generated content of this size (a JPEG or PDF skeleton when the type, or for application/octet-stream the file name, says so). */
    size: size.optional(),
    /** Or the content of a local file. */
    path: z.string().optional(),
  })
  .strict();

const request = z
  .object({
    method: z
      .string()
      .regex(/^[A-Z]+$/, 'an HTTP method in capitals (GET, POST...)')
      .default('GET'),
    path: z.string().min(1),
    headers: headers.optional(),
    /** application/x-www-form-urlencoded fields. */
    form: z.record(z.string(), z.string()).optional(),
    /** A JSON body; every string in it is a template. */
    json: z.unknown().optional(),
    /** multipart/form-data: text fields and files. */
    multipart: z
      .object({ fields: z.record(z.string(), z.string()).default({}), files: z.array(file).default([]) })
      .strict()
      .optional(),
    /** A raw body (set content-type in headers). */
    body: z.string().optional(),
    /** Variables that must be set (`name`) or unset (`!name`) for the request to be made. */
    when: condition.optional(),
    /** The chance that the request is made at all (0..1); e.g. Olio's attend 10 % of the time. */
    probability: z.number().min(0).max(1).default(1),
    /** false: made, but outside the action's response time (e.g. the logout before AddPerson). */
    timed: z.boolean().default(true),
    expect: z
      .object({
        status: z.array(z.number().int().min(100).max(599)).optional(),
        bodyMatches: z.string().optional(),
        bodyNotMatches: z.string().optional(),
      })
      .strict()
      .optional(),
    capture: z.array(capture).default([]),
    resources: z.array(resources).default([]),
    /** Variables set after the request succeeded. */
    set: z.record(z.string(), z.string()).default({}),
    unset: z.array(z.string()).default([]),
    /** The user logs out: cookies, cache and session variables are forgotten. */
    endSession: z.boolean().default(false),
  })
  .strict();

const action = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'a name of letters, digits, _ . -, starting with a letter'),
    /** Values drawn once at the start of each run of the action, shared by its requests. */
    let: z.record(z.string(), z.string()).default({}),
    timeout: duration.optional(),
    requests: z.array(request).min(1),
  })
  .strict();

export const profileDocument = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Constants the templates use by name; the command line can override them. */
    params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
    /** Per-user variables given a value when the user starts. */
    vars: z.record(z.string(), z.string()).default({}),
    /** Variables that belong to a login session (forgotten at endSession). */
    sessionVars: z.array(z.string()).default([]),
    headers: headers.default({}),
    timeout: duration.default('30s'),
    think: z
      .object({
        distribution: z.enum(['negexp', 'fixed', 'uniform']).default('negexp'),
        mode: z.enum(['cycle', 'think']).default('cycle'),
        mean: duration,
        /** Default: 5 x the mean, as Faban. */
        max: duration.optional(),
      })
      .strict(),
    cache: z
      .object({ coldFraction: z.number().min(0).max(1) })
      .strict()
      .default({ coldFraction: 1 }),
    /** The first action of every user (default: the first listed). */
    start: z.string().optional(),
    actions: z.array(action).min(1),
    /** A transition matrix: a row per action, its entries in the order of `actions`. */
    matrix: z.record(z.string(), z.array(z.number())).optional(),
    /** Or a flat mix: a probability per action. */
    mix: z.record(z.string(), z.number()).optional(),
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
