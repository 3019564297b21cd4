// Turning zod's verdict into the project's InvalidInputError: the field as a YAML path
// (spec.workload.users, spec.migrations.offsets[1]) and what is wrong with it, in one line.

import type { z } from 'zod';
import { InvalidInputError } from '../../invalid/index.ts';

/** Parse with defaults filled in, or throw InvalidInputError naming the first bad field. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, root = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues.map((issue) => describeIssue(issue, root));
  if (!first) throw new InvalidInputError(root || '(document)', 'invalid');
  const more = rest.length === 0 ? '' : ` (and ${rest.map((r) => `${r.field}: ${r.message}`).join('; ')})`;
  throw new InvalidInputError(first.field, `${first.message}${more}`);
}

function describeIssue(issue: z.core.$ZodIssue, root: string): { field: string; message: string } {
  let path = [...issue.path];
  let message = issue.message;
  // Point at the unknown key itself: a typo is found where it was made.
  if (issue.code === 'unrecognized_keys' && issue.keys.length === 1) {
    path = [...path, issue.keys[0] as string];
    message = 'unknown field (check its spelling and indentation)';
  }
  return { field: fieldPath(root, path) || '(document)', message };
}

/** spec.migrations.offsets[1] from ['spec', 'migrations', 'offsets', 1]. */
export function fieldPath(root: string, path: readonly PropertyKey[]): string {
  let text = root;
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}
