import { describe, expect, it } from 'vitest';
import { XapiDateTime, XapiFloat, XapiInt, XapiInt32 } from './wire.ts';
import { encodeValue, formatXmlRpcBare, formatXmlRpcFailure, formatXmlRpcSuccess, parseXmlRpcCall, XmlRpcParseError } from './xml-rpc.ts';

describe('Given values XAPI puts on the wire', () => {
  describe('When they are encoded for XML-RPC', () => {
    it('Then strings are untyped and escaped, 64-bit ints are bare strings, int32 are <i4>', () => {
      expect(encodeValue('a<b & "c"')).toBe('<value>a&lt;b &amp; &quot;c&quot;</value>');
      expect(encodeValue('')).toBe('<value></value>');
      expect(encodeValue(new XapiInt(8589934592))).toBe('<value>8589934592</value>');
      expect(encodeValue(new XapiInt32(6))).toBe('<value><i4>6</i4></value>');
    });

    it('Then floats are <double> with up to 16 significant digits, booleans 1/0, dates XAPI-style', () => {
      expect(encodeValue(new XapiFloat(1))).toBe('<value><double>1</double></value>');
      expect(encodeValue(new XapiFloat(1 / 3))).toBe('<value><double>0.3333333333333333</double></value>');
      expect(encodeValue(true)).toBe('<value><boolean>1</boolean></value>');
      expect(encodeValue(new XapiDateTime(Date.UTC(2024, 0, 31, 9, 5, 7)))).toBe(
        '<value><dateTime.iso8601>20240131T09:05:07Z</dateTime.iso8601></value>',
      );
    });

    it('Then control characters other than tab, LF and CR are dropped', () => {
      expect(encodeValue('a\u0001b\tc\nd')).toBe('<value>ab\tc\nd</value>');
    });

    it('Then structs and arrays nest without whitespace', () => {
      expect(encodeValue({ a: ['x', null] })).toBe(
        '<value><struct><member><name>a</name><value><array><data><value>x</value><value><nil/></value></data></array></value></member></struct></value>',
      );
    });
  });

  describe('When a reply is formatted', () => {
    it('Then a success is {Status: Success, Value}', () => {
      expect(formatXmlRpcSuccess('OpaqueRef:1')).toBe(
        '<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value>OpaqueRef:1</value></member></struct></value></param></params></methodResponse>',
      );
    });

    it('Then a failure is {Status: Failure, ErrorDescription: [code, params...]}', () => {
      expect(formatXmlRpcFailure('SESSION_INVALID', ['OpaqueRef:x'])).toContain(
        '<member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name><value><array><data><value>SESSION_INVALID</value><value>OpaqueRef:x</value></data></array></value></member>',
      );
    });

    it('Then a bare reply (system.listMethods) has no Status', () => {
      expect(formatXmlRpcBare(['VM.get_all'])).toBe(
        '<?xml version="1.0"?><methodResponse><params><param><value><array><data><value>VM.get_all</value></data></array></value></param></params></methodResponse>',
      );
    });
  });
});

describe('Given an XML-RPC call', () => {
  describe('When Python xmlrpc.client wrote it (typed values, newlines between elements)', () => {
    it('Then every value type is read', () => {
      const body = `<?xml version='1.0'?>
<methodCall>
<methodName>event.from</methodName>
<params>
<param>
<value><string>OpaqueRef:s</string></value>
</param>
<param>
<value><array><data>
<value><string>vm</string></value>
</data></array></value>
</param>
<param>
<value><string></string></value>
</param>
<param>
<value><double>30.0</double></value>
</param>
<param>
<value><struct>
<member>
<name>live</name>
<value><boolean>1</boolean></value>
</member>
<member>
<name>n</name>
<value><int>7</int></value>
</member>
</struct></value>
</param>
<param><value><nil/></value></param>
</params>
</methodCall>
`;
      expect(parseXmlRpcCall(body)).toEqual({
        method: 'event.from',
        params: ['OpaqueRef:s', ['vm'], '', 30, { live: true, n: 7 }, null],
      });
    });
  });

  describe('When the xen-api client wrote it (untyped strings, no whitespace)', () => {
    it('Then untyped values are strings, whitespace inside them kept', () => {
      const body =
        '<?xml version="1.0"?><methodCall><methodName>session.login_with_password</methodName><params><param><value>root</value></param><param><value> p w </value></param></params></methodCall>';
      expect(parseXmlRpcCall(body)).toEqual({ method: 'session.login_with_password', params: ['root', ' p w '] });
    });
  });

  describe('When the body is not an XML-RPC call', () => {
    it.each([
      ['malformed XML', '<methodCall><methodName>x</methodName>'],
      ['another document', '<html></html>'],
      ['no method name', '<methodCall><params/></methodCall>'],
      ['an unknown type', '<methodCall><methodName>x</methodName><params><param><value><float>1</float></value></param></params></methodCall>'],
      ['an empty body', ''],
    ])('Then %s is refused', (_case, body) => {
      expect(() => parseXmlRpcCall(body)).toThrow(XmlRpcParseError);
    });
  });
});
