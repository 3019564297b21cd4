import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withRules } from '../v1alpha1/rules.ts';
import { structuralProblems } from './structural-check.ts';
import { NonStructuralSchemaError, structuralSchema } from './structural-schema.ts';

describe('Given zod schemas', () => {
  describe('When converted to a structural schema', () => {
    it('Then a strict object loses additionalProperties: false and keeps required and defaults', () => {
      const schema = structuralSchema(z.strictObject({ a: z.string(), b: z.string().default('x') }));
      expect(schema).toEqual({
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'string', default: 'x' } },
        required: ['a'],
      });
    });

    it('Then an object default carries its fields\' defaults, as the API server validates it before filling them', () => {
      const inner = z.strictObject({ a: z.string().default('x'), b: z.strictObject({ c: z.int().default(1) }).prefault({}) });
      const schema = structuralSchema(z.strictObject({ inner: inner.prefault({}) }));
      expect(schema.properties?.inner?.default).toEqual({ a: 'x', b: { c: 1 } });
    });

    it("Then integers lose zod's safe-integer bounds but keep their own", () => {
      expect(structuralSchema(z.int())).toEqual({ type: 'integer' });
      expect(structuralSchema(z.int().min(1).max(5))).toEqual({ type: 'integer', minimum: 1, maximum: 5 });
    });

    it('Then exclusive bounds are OpenAPI v3.0 booleans', () => {
      expect(structuralSchema(z.number().gt(0).lt(100))).toEqual({
        type: 'number',
        minimum: 0,
        exclusiveMinimum: true,
        maximum: 100,
        exclusiveMaximum: true,
      });
    });

    it('Then a date-time is its format without the regex zod adds', () => {
      expect(structuralSchema(z.iso.datetime())).toEqual({ type: 'string', format: 'date-time' });
    });

    it('Then a literal becomes a one-value enum and nullable stays typed', () => {
      expect(structuralSchema(z.literal('x'))).toEqual({ type: 'string', enum: ['x'] });
      expect(structuralSchema(z.string().nullable())).toEqual({ type: 'string', nullable: true });
    });

    it('Then rules become x-kubernetes-validations with a fieldPath', () => {
      const schema = structuralSchema(
        withRules(z.strictObject({ a: z.int(), b: z.int() }), [{ rule: 'self.a < self.b', message: 'a below b', field: ['b'] }]),
      );
      expect(schema['x-kubernetes-validations']).toEqual([{ rule: 'self.a < self.b', message: 'a below b', fieldPath: '.b' }]);
    });

    it('Then a union is refused rather than emitted as anyOf', () => {
      expect(() => structuralSchema(z.strictObject({ a: z.union([z.string(), z.int()]) }))).toThrow(NonStructuralSchemaError);
      expect(() => structuralSchema(z.strictObject({ a: z.union([z.string(), z.int()]) }))).toThrow(/\.a: "anyOf"/);
    });

    it('Then a tuple is refused', () => {
      expect(() => structuralSchema(z.tuple([z.string(), z.int()]))).toThrow(NonStructuralSchemaError);
    });
  });
});

describe('Given hand-written schemas', () => {
  it('Then a node without type is reported with its path', () => {
    expect(structuralProblems({ type: 'object', properties: { a: {} } })).toEqual(['.a: no type']);
  });

  it('Then properties with additionalProperties are reported', () => {
    expect(
      structuralProblems({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } }),
    ).toEqual(['.: properties and additionalProperties are mutually exclusive']);
  });

  it('Then a forbidden keyword is reported', () => {
    expect(structuralProblems({ type: 'string', anyOf: [] } as never)).toEqual(['.: "anyOf" is not allowed']);
  });

  it('Then a CEL fieldPath naming no field is reported', () => {
    expect(
      structuralProblems({
        type: 'object',
        properties: { a: { type: 'string' } },
        'x-kubernetes-validations': [{ rule: 'true', message: 'm', fieldPath: '.b' }],
      }),
    ).toEqual(['.: fieldPath .b names no field']);
  });

  it('Then a list-map key that is not required is reported', () => {
    expect(
      structuralProblems({
        type: 'array',
        items: { type: 'object', properties: { type: { type: 'string' } } },
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    ).toEqual(['.: list-map key type must be required']);
  });

  it('Then a default of the wrong type is reported', () => {
    expect(structuralProblems({ type: 'integer', default: 'one' })).toEqual(['.: default of the wrong type']);
  });
});
