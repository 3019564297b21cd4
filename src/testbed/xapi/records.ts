// Records and fields turned into wire values, by the kind each class's schema gives its fields.
import { SCHEMAS, type ClassName, type FieldKind, type RecordsByClass } from './classes.ts';
import { XapiDateTime, XapiFloat, XapiInt, type WireValue } from './wire.ts';

export function encodeRecord<C extends ClassName>(cls: C, record: RecordsByClass[C]): WireValue {
  const schema = SCHEMAS[cls] as Record<string, FieldKind>;
  const values = record as unknown as Record<string, unknown>;
  const wire: Record<string, WireValue> = {};
  for (const [field, kind] of Object.entries(schema)) wire[field] = encodeField(kind, values[field]);
  return wire;
}

export function encodeField(kind: FieldKind, value: unknown): WireValue {
  switch (kind) {
    case 'int':
      return new XapiInt(value as number);
    case 'float':
      return new XapiFloat(value as number);
    case 'datetime':
      return new XapiDateTime(value as number);
    case 'bool':
      return value as boolean;
    case 'set':
      return [...(value as string[])];
    case 'map':
      return { ...(value as Record<string, string>) };
    case 'string':
      return value as string;
  }
}
