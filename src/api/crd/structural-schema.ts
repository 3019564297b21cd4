// From a zod schema to a Kubernetes *structural* OpenAPI v3 schema: what a CRD's openAPIV3Schema
// accepts. zod's own OpenAPI 3.0 output is close; this pass removes what the API server refuses
// ($schema, additionalProperties: false, JSON-Schema-only keywords), drops noise (zod's safe-integer
// bounds, the regex it adds to date-time), refuses what would make the schema non-structural
// (anyOf and friends) rather than emitting it, and orders keys so the YAML reads well.

import { z } from 'zod';

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps we generate. */
export interface JSONSchemaProps {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  maximum?: number;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  items?: JSONSchemaProps;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  additionalProperties?: JSONSchemaProps;
  'x-kubernetes-validations'?: { rule: string; message: string; fieldPath?: string }[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

/** Key order in the generated YAML: what a field is first, then its limits, then its children. */
const KEY_ORDER: readonly (keyof JSONSchemaProps)[] = [
  'description',
  'type',
  'format',
  'enum',
  'default',
  'nullable',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'items',
  'properties',
  'required',
  'additionalProperties',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-validations',
];

/** Keywords zod emits that carry no meaning for the API server and are safe to drop. */
const DROPPED = new Set(['$schema', 'id', '$id', 'title', 'examples']);

export class NonStructuralSchemaError extends Error {
  override name = 'NonStructuralSchemaError';
}

/** The structural schema of what a person may write (defaults optional), zod's input side. */
export function structuralSchema(schema: z.ZodType): JSONSchemaProps {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    target: 'openapi-3.0',
    reused: 'inline',
    cycles: 'throw',
    unrepresentable: 'throw',
  });
  return normalize(json as Record<string, unknown>, '');
}

function normalize(node: Record<string, unknown>, path: string): JSONSchemaProps {
  const out: Record<string, unknown> = {};
  // A field that says it is int-or-string, or free-form, is a union the server accepts as such;
  // the parser checks which alternative it holds.
  const declaredFree = node['x-kubernetes-int-or-string'] === true || node['x-kubernetes-preserve-unknown-fields'] === true;
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key)) continue;
    if (declaredFree && key === 'anyOf') continue;
    switch (key) {
      case 'properties':
        out.properties = Object.fromEntries(
          Object.entries(value as Record<string, Record<string, unknown>>).map(([name, child]) => [
            name,
            normalize(child, `${path}.${name}`),
          ]),
        );
        break;
      case 'items':
        if (Array.isArray(value)) throw new NonStructuralSchemaError(`${path || '.'}: tuples are not structural`);
        out.items = normalize(value as Record<string, unknown>, `${path}[]`);
        break;
      case 'additionalProperties':
        // false is zod's strict object; the API server prunes unknown fields instead.
        if (value === false) break;
        if (value === true) throw new NonStructuralSchemaError(`${path || '.'}: additionalProperties: true; use x-kubernetes-preserve-unknown-fields`);
        out.additionalProperties = normalize(value as Record<string, unknown>, `${path}{}`);
        break;
      case 'const':
        out.enum = [value];
        break;
      case 'anyOf':
      case 'oneOf':
      case 'allOf':
      case 'not':
      case '$ref':
      case '$defs':
      case 'definitions':
      case 'patternProperties':
      case 'propertyNames':
      case 'dependencies':
      case 'additionalItems':
      case 'prefixItems':
        throw new NonStructuralSchemaError(`${path || '.'}: "${key}" cannot be expressed in a structural schema; use a CEL rule (withRules)`);
      default:
        out[key] = value;
    }
  }
  dropZodNoise(out);
  if (out.default !== undefined) out.default = withNestedDefaults(out.default, out as JSONSchemaProps);
  return ordered(out);
}

/**
 * A default as the API server will store it: `sla: {}` becomes `sla: {window: 5m, ...}`. The
 * server validates a default, CEL rules included, before it applies the nested defaults, so a
 * bare `{}` would fail a rule reading `self.window`.
 */
function withNestedDefaults(value: unknown, schema: JSONSchemaProps): unknown {
  if (schema.type === 'array' && Array.isArray(value) && schema.items) {
    return value.map((item: unknown) => withNestedDefaults(item, schema.items as JSONSchemaProps));
  }
  if (schema.type !== 'object' || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const filled: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (filled[name] === undefined && property.default !== undefined) filled[name] = structuredClone(property.default);
    if (filled[name] !== undefined) filled[name] = withNestedDefaults(filled[name], property);
  }
  return filled;
}

function dropZodNoise(node: Record<string, unknown>): void {
  if (node.type === 'integer') {
    if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
    if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
  }
  // The format says it; the API server validates date-time itself.
  if (node.format === 'date-time') delete node.pattern;
  if (node.uniqueItems === false) delete node.uniqueItems;
}

function ordered(node: Record<string, unknown>): JSONSchemaProps {
  const out: Record<string, unknown> = {};
  for (const key of KEY_ORDER) if (node[key] !== undefined) out[key] = node[key];
  for (const key of Object.keys(node).sort()) if (!(key in out)) out[key] = node[key];
  return out as JSONSchemaProps;
}
