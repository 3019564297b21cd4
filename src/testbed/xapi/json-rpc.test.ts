import { describe, expect, it } from 'vitest';
import { formatJsonRpcFailure, formatJsonRpcSuccess, JsonRpcParseError, parseJsonRpcCall } from './json-rpc.ts';
import { XapiFloat, XapiInt } from './wire.ts';

describe('Given a JSON-RPC 2.0 call', () => {
  const call = parseJsonRpcCall('{"jsonrpc":"2.0","id":7,"method":"VM.get_all","params":["OpaqueRef:s"]}');

  it('When parsed, Then version, id, method and params are read', () => {
    expect(call).toEqual({ version: 2, id: 7, method: 'VM.get_all', params: ['OpaqueRef:s'] });
  });

  it('When answered, Then the reply is {jsonrpc, result, id} with ints and floats as numbers', () => {
    expect(formatJsonRpcSuccess(call, { n: new XapiInt(5), p: new XapiFloat(0.5) })).toBe(
      '{"jsonrpc":"2.0","result":{"n":5,"p":0.5},"id":7}',
    );
  });

  it('When it fails, Then error is {code: 1, message: CODE, data: [params]}', () => {
    expect(formatJsonRpcFailure(call, 'SESSION_INVALID', ['OpaqueRef:s'])).toBe(
      '{"jsonrpc":"2.0","error":{"code":1,"message":"SESSION_INVALID","data":["OpaqueRef:s"]},"id":7}',
    );
  });
});

describe('Given a JSON-RPC 1.0 call (no "jsonrpc" member)', () => {
  const call = parseJsonRpcCall('{"id":"x","method":"session.logout","params":[]}');

  it('When answered, Then result and error are both present, error null', () => {
    expect(formatJsonRpcSuccess(call, '')).toBe('{"result":"","error":null,"id":"x"}');
  });

  it('When it fails, Then error is the array [CODE, params...]', () => {
    expect(formatJsonRpcFailure(call, 'HANDLE_INVALID', ['VM', 'OpaqueRef:1'])).toBe(
      '{"result":null,"error":["HANDLE_INVALID","VM","OpaqueRef:1"],"id":"x"}',
    );
  });
});

describe('Given a body that is not a JSON-RPC call', () => {
  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['no method', '{"jsonrpc":"2.0","id":1}'],
    ['a bad version', '{"jsonrpc":"3","id":1,"method":"m","params":[]}'],
    ['no id', '{"jsonrpc":"2.0","method":"m","params":[]}'],
    ['v1 without params', '{"id":1,"method":"m"}'],
  ])('When it is %s, Then it is refused', (_case, body) => {
    expect(() => parseJsonRpcCall(body)).toThrow(JsonRpcParseError);
  });
});
