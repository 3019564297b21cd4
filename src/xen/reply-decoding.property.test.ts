// What the xen-api client's XML-RPC decoder (@vates/xml and @vates/xml-rpc, upstream) makes of
// generated replies, and what this adapter then says: any reply, token soup or nesting deep enough
// to exhaust the recursive decoder, either decodes or fails, and the failure is a XenError naming
// the pool in printable words, never the runtime's "Maximum call stack size exceeded".
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { XenError } from './errors.ts';
import { explainFailure } from './failures.ts';

type Decode = (xml: string) => unknown;
let decode: Decode;
beforeAll(async () => {
  // The client's own modules (not exported from xen-api's index), as its XML-RPC transport calls them.
  const [xmlPath, rpcPath]: string[] = ['@vates/xml/parse', '@vates/xml-rpc/parser'];
  const { parseXml } = (await import(xmlPath!)) as { parseXml: (xml: string, options: object) => unknown };
  const { xmlRpcParser } = (await import(rpcPath!)) as { xmlRpcParser: { parse(node: unknown): unknown } };
  decode = (xml) => xmlRpcParser.parse(parseXml(xml, { normalize: false, trim: false }));
});

const TOKENS = ['<methodResponse>', '</methodResponse>', '<params>', '</params>', '<param>', '</param>', '<value>', '</value>', '<array>', '</array>', '<data>', '</data>', '<struct>', '</struct>', '<member>', '</member>', '<name>', '</name>', 'Status', 'Success', 'Value', '<i4>', '</i4>', '<nil/>', '<fault>', '<constructor>', '&#x202e;', '\u200b', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>', '&e;'];
const soup = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })), { maxLength: 40 }).map((tokens) => tokens.join(''));
/** A reply whose value nests `depth` arrays deep. */
const deep = (depth: number): string =>
  `<methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name>${'<value><array><data>'.repeat(depth)}${'</data></array></value>'.repeat(depth)}</member></struct></value></param></params></methodResponse>`;

/** Decodes `xml`; when the client fails, what the adapter says of that failure. */
function failureOf(xml: string): XenError | undefined {
  try {
    decode(xml);
    return undefined;
  } catch (error) {
    return explainFailure(error, { url: 'https://xen-1' });
  }
}

describe('Given replies a hostile pool could send', () => {
  it('When the client decodes one and fails, Then the adapter reports a XenError naming the pool in printable words', () => {
    fc.assert(
      fc.property(fc.oneof(soup, fc.string({ unit: 'binary', maxLength: 200 }), fc.integer({ min: 1, max: 200 }).map(deep)), (xml) => {
        const explained = failureOf(xml);
        if (explained === undefined) return;
        expect(explained).toBeInstanceOf(XenError);
        expect(explained.message).toContain('https://xen-1');
        expect(explained.message).not.toMatch(/call stack|(?![\n\t])[\p{Cc}\p{Cf}]/u);
      }),
      { numRuns: 100 },
    );
  });

  it('When a reply nests deep enough to exhaust the recursive decoder, Then it is a protocol error naming the pool', () => {
    const explained = failureOf(deep(12_000));
    expect(explained?.kind).toBe('protocol');
    expect(explained?.message).toBe('XAPI at https://xen-1 sent a reply nested too deeply to decode; a XenServer / XCP-ng host never does');
  });
});
