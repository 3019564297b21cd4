// The API server's rules for a structural schema, checked before a CRD is written, so a schema the
// server would refuse (or silently treat as non-structural) never reaches crds/.
// https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema

import type { JSONSchemaProps } from './structural-schema.ts';

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

const ALLOWED_KEYS = new Set<string>([
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
  'multipleOf',
  'items',
  'properties',
  'required',
  'additionalProperties',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
]);

/** Formats the API server knows (k8s.io/apiextensions-apiserver supported formats). */
const FORMATS = new Set(['date-time', 'date', 'uri', 'uuid', 'byte', 'int32', 'int64', 'float', 'double', 'hostname', 'email', 'ipv4', 'ipv6', 'cidr', 'duration']);

/** Everything that keeps `schema` from being a structural schema, as "path: problem" lines. */
export function structuralProblems(schema: JSONSchemaProps, path = ''): string[] {
  const here = path || '.';
  const problems: string[] = [];
  const node = schema as Record<string, unknown>;
  for (const key of Object.keys(node)) {
    if (!ALLOWED_KEYS.has(key)) problems.push(`${here}: "${key}" is not allowed`);
  }
  const free = schema['x-kubernetes-preserve-unknown-fields'] === true || node['x-kubernetes-int-or-string'] === true;
  if (schema.type === undefined && !free) problems.push(`${here}: no type`);
  if (schema.type !== undefined && !TYPES.has(schema.type)) problems.push(`${here}: unknown type ${String(schema.type)}`);
  if (schema.format !== undefined && !FORMATS.has(schema.format)) problems.push(`${here}: unknown format ${schema.format}`);
  if (schema.type === 'array' && !schema.items) problems.push(`${here}: an array needs items`);
  if (schema.type !== 'array' && schema.items) problems.push(`${here}: items on a ${String(schema.type)}`);
  if (schema.type !== 'object' && (schema.properties || schema.additionalProperties)) {
    problems.push(`${here}: properties on a ${String(schema.type)}`);
  }
  if (schema.properties && schema.additionalProperties) {
    problems.push(`${here}: properties and additionalProperties are mutually exclusive`);
  }
  for (const name of schema.required ?? []) {
    if (!schema.properties?.[name]) problems.push(`${here}: required field ${name} is not a property`);
  }
  if (schema.exclusiveMinimum !== undefined && schema.minimum === undefined) problems.push(`${here}: exclusiveMinimum without minimum`);
  if (schema.exclusiveMaximum !== undefined && schema.maximum === undefined) problems.push(`${here}: exclusiveMaximum without maximum`);
  if (schema.enum && schema.enum.some((value) => !matchesType(value, schema.type))) problems.push(`${here}: enum value of the wrong type`);
  if (schema.default !== undefined && !matchesType(schema.default, schema.type)) problems.push(`${here}: default of the wrong type`);
  for (const validation of schema['x-kubernetes-validations'] ?? []) {
    if (!validation.rule.trim()) problems.push(`${here}: empty CEL rule`);
    if (!validation.message.trim()) problems.push(`${here}: CEL rule without a message: ${validation.rule}`);
    if (validation.fieldPath && !resolveFieldPath(schema, validation.fieldPath)) {
      problems.push(`${here}: fieldPath ${validation.fieldPath} names no field`);
    }
  }
  if (schema['x-kubernetes-list-type'] === 'map') {
    for (const key of schema['x-kubernetes-list-map-keys'] ?? []) {
      if (!schema.items?.required?.includes(key)) problems.push(`${here}: list-map key ${key} must be required`);
    }
  }
  for (const [name, child] of Object.entries(schema.properties ?? {})) problems.push(...structuralProblems(child, `${path}.${name}`));
  if (schema.items) problems.push(...structuralProblems(schema.items, `${path}[]`));
  if (schema.additionalProperties) problems.push(...structuralProblems(schema.additionalProperties, `${path}{}`));
  return problems;
}

function matchesType(value: unknown, type: JSONSchemaProps['type']): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

/** ".destination.host" within `schema`: the field a CEL rule blames must exist. */
function resolveFieldPath(schema: JSONSchemaProps, fieldPath: string): JSONSchemaProps | undefined {
  let node: JSONSchemaProps | undefined = schema;
  for (const name of fieldPath.split('.').slice(1)) node = node?.properties?.[name];
  return node;
}
