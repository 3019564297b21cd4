// The testbed's request decoders over generated bodies. JSON-RPC and XML-RPC calls built from
// random values decode to exactly those values; any other body is a JsonRpcParseError or an
// XmlRpcParseError (HTTP 500 with XAPI's parse-error page), never another exception. XML's
// entities are never expanded: an external entity and a "billion laughs" are parse errors, and
// nesting is bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonRpcParseError, MAX_JSON_DEPTH, parseJsonRpcCall } from './json-rpc.ts';
import type { WireValue } from './wire.ts';
import { encodeValue, MAX_XML_DEPTH, parseXmlRpcCall, XmlRpcParseError } from './xml-rpc.ts';

/** Runs `decode`; anything it throws other than `type` fails the property. */
function decodedOrRefused(decode: () => unknown, type: new (...args: never[]) => Error): void {
  try {
    decode();
  } catch (error) {
    if (!(error instanceof type)) throw new Error(`not a ${type.name}: ${String(error)}`, { cause: error });
  }
}

// Strings as XML-RPC carries them: no control characters (encodeValue drops them, as XAPI does).
const text = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[^\P{Cc}\t\n]/gu, '').replace(/\r/g, ''));
// Keys that would be Object.prototype's members in a plain object.
const key = fc.oneof(text, fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'));
const wireValue: fc.Arbitrary<WireValue> = fc.letrec<{ value: WireValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((members) => {
      const struct = Object.create(null) as Record<string, WireValue>;
      for (const [name, member] of members) struct[name] = member;
      return struct;
    }),
  ),
})).value;

/** What a decoder gives back for `value`: structs as plain records with the same own keys. */
function plain(value: WireValue): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v as WireValue)]));
  return value;
}

describe('Given JSON-RPC bodies', () => {
  it('When a call is built from random values, Then it decodes to exactly those', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.array(fc.jsonValue({ maxDepth: 6 }), { maxLength: 4 }), fc.oneof(fc.integer(), fc.string()), (method, params, id) => {
        const call = parseJsonRpcCall(JSON.stringify({ jsonrpc: '2.0', method, params, id }));
        expect(call).toEqual({ version: 2, id, method, params: JSON.parse(JSON.stringify(params)) as unknown[] });
      }),
      { numRuns: 300 },
    );
  });

  it('When the body is any text or any JSON, Then it is a call or a JsonRpcParseError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify(v))), (body) => decodedOrRefused(() => parseJsonRpcCall(body), JsonRpcParseError)),
      { numRuns: 500 },
    );
  });

  it('When params nest d deep, Then they are read up to the bound and refused beyond it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * MAX_JSON_DEPTH }), (depth) => {
        const body = `{"method":"VM.get_all","id":1,"params":${'['.repeat(depth)}${']'.repeat(depth)}}`;
        if (depth <= MAX_JSON_DEPTH) expect(parseJsonRpcCall(body).method).toBe('VM.get_all');
        else expect(() => parseJsonRpcCall(body)).toThrow(JsonRpcParseError);
      }),
      { numRuns: 100 },
    );
  });
});

const call = (params: string): string => `<?xml version="1.0"?><methodCall><methodName>VM.get_all</methodName><params>${params}</params></methodCall>`;

describe('Given XML-RPC bodies', () => {
  it('When a call is encoded from random values, Then it decodes to exactly those', () => {
    fc.assert(
      fc.property(fc.array(wireValue, { maxLength: 4 }), (params) => {
        const decoded = parseXmlRpcCall(call(params.map((p) => `<param>${encodeValue(p)}</param>`).join('')));
        expect(decoded.params).toEqual(params.map(plain));
      }),
      { numRuns: 300 },
    );
  });

  const TAGS = ['methodCall', 'methodName', 'params', 'param', 'value', 'array', 'data', 'struct', 'member', 'name', 'string', 'int', 'i4', 'i8', 'double', 'boolean', 'nil', 'base64', 'dateTime.iso8601', 'bogus'];
  const xmlish: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.string({ maxLength: 8 }),
      fc.constantFrom('&amp;', '&lt;', '&xxe;', '<![CDATA[x]]>', '<!-- c -->', '<?pi x?>', '</value>', '<value'),
      fc.tuple(fc.constantFrom(...TAGS), fc.array(tie('node'), { maxLength: 3 })).map(([tag, children]) => `<${tag}>${children.join('')}</${tag}>`),
    ),
  })).node;

  it('When the body is XML-ish made of XML-RPC tags, or any text, Then it is a call or an XmlRpcParseError', () => {
    fc.assert(
      fc.property(fc.oneof(xmlish, xmlish.map((inner) => call(inner)), fc.string({ unit: 'binary', maxLength: 200 })), (body) => decodedOrRefused(() => parseXmlRpcCall(body), XmlRpcParseError)),
      { numRuns: 1000 },
    );
  });

  it('When values nest d deep, Then they are read up to the bound and refused beyond it, without overflowing the stack', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), (depth) => {
        const body = call(`<param>${'<value><array><data>'.repeat(depth)}${'</data></array></value>'.repeat(depth)}</param>`);
        // methodCall, params, param, then three elements per level.
        if (3 + 3 * depth <= MAX_XML_DEPTH) expect(parseXmlRpcCall(body).params).toHaveLength(1);
        else expect(() => parseXmlRpcCall(body)).toThrow(XmlRpcParseError);
      }),
      { numRuns: 100 },
    );
  });

  it('When it declares an external entity for a file, Then the file is never read: the body is a parse error', () => {
    const body = `<?xml version="1.0"?><!DOCTYPE methodCall [<!ENTITY xxe SYSTEM "file:///etc/hostname">]><methodCall><methodName>&xxe;</methodName><params/></methodCall>`;
    expect(() => parseXmlRpcCall(body)).toThrow(XmlRpcParseError);
  });

  it('When it is a billion laughs, Then nothing is expanded: a parse error at once', () => {
    const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${i === 0 ? 'lol'.repeat(10) : `&lol${i};`.repeat(10)}">`).join('');
    const body = `<?xml version="1.0"?><!DOCTYPE methodCall [${entities}]><methodCall><methodName>m</methodName><params><param><value>&lol9;</value></param></params></methodCall>`;
    const started = performance.now();
    expect(() => parseXmlRpcCall(body)).toThrow(XmlRpcParseError);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
