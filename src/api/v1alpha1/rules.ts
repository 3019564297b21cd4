// A rule between fields, written once and enforced twice: by the Kubernetes API server as a CEL
// expression (x-kubernetes-validations in the generated CRD) and by the TypeScript parser for
// runs without a cluster. Keeping both halves side by side is what keeps them from drifting; the
// CRD test against a real API server checks they agree on the examples.

import type { z } from 'zod';

export interface CelRule<T> {
  /** CEL evaluated by the API server with `self` bound to the object the rule sits on. */
  readonly rule: string;
  /** What a person reads when the rule fails: says what to change, names the other field. */
  readonly message: string;
  /** The field to blame, relative to the object the rule sits on (e.g. ['destination', 'host']). */
  readonly field?: readonly string[];
  /**
   * The same rule in TypeScript, given the already typed and defaulted value. Left out only when
   * the zod schema itself already refuses the same thing (e.g. map keys checked by an enum).
   */
  readonly holds?: (self: T) => boolean;
}

/** The CEL half as it appears in a CRD. */
export interface KubernetesValidation {
  rule: string;
  message: string;
  fieldPath?: string;
}

export const VALIDATIONS_KEY = 'x-kubernetes-validations';

/** Attach rules to a schema: checks for the parser, CEL metadata for the CRD generator. */
export function withRules<S extends z.ZodType>(schema: S, rules: readonly CelRule<z.output<S>>[]): S {
  const checked = schema.check((payload) => {
    // A rule between fields means something only once each field is valid on its own; otherwise
    // "drivers must not exceed users" would pile onto "users must be at least 1".
    if (payload.issues.length > 0) return;
    const value = payload.value as z.output<S>;
    for (const rule of rules) {
      if (rule.holds && !rule.holds(value)) {
        payload.issues.push({ code: 'custom', message: rule.message, path: [...(rule.field ?? [])], input: value });
      }
    }
  });
  const existing = (checked.meta()?.[VALIDATIONS_KEY] as KubernetesValidation[] | undefined) ?? [];
  return checked.meta({ [VALIDATIONS_KEY]: [...existing, ...rules.map(toValidation)] });
}

function toValidation<T>(rule: CelRule<T>): KubernetesValidation {
  const validation: KubernetesValidation = { rule: rule.rule, message: rule.message };
  if (rule.field) validation.fieldPath = rule.field.map((name) => `.${name}`).join('');
  return validation;
}

/** A CEL string literal (single-quoted, escaped), for rules built from TypeScript constants. */
export function celString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
