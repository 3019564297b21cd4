// JSON-RPC as XAPI speaks it (POST /jsonrpc, Content-Type exactly application/json). Both
// versions are accepted, as ocaml-rpc's Jsonrpc.version_id_and_call_of_string does: a request
// with "jsonrpc": "2.0" gets {"jsonrpc","result"|"error","id"} with error {code: 1, message: CODE,
// data: [params]}; one without gets v1's {"result","error","id"} with error [CODE, params...].
import type { WireValue } from './wire.ts';

export type JsonRpcVersion = 1 | 2;

export interface JsonRpcCall {
  version: JsonRpcVersion;
  id: string | number;
  method: string;
  params: unknown[];
}

/**
 * The deepest nesting of a call's parameters read, as MAX_XML_DEPTH bounds XML-RPC: XAPI's own
 * calls nest a few levels; a body of 100,000 "[" parses, but each method (and each error naming a
 * parameter) would then walk it recursively and overflow the stack.
 */
export const MAX_JSON_DEPTH = 64;

/** The body is not a JSON-RPC call; XAPI answers these with HTTP 500 (Malformed_method_request). */
export class JsonRpcParseError extends Error {
  override name = 'JsonRpcParseError';
}

export function parseJsonRpcCall(body: string): JsonRpcCall {
  let request: unknown;
  try {
    request = JSON.parse(body);
  } catch (error) {
    throw new JsonRpcParseError(`malformed JSON: ${(error as Error).message}`);
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new JsonRpcParseError('Invalid request body');
  }
  const { method, jsonrpc, params, id } = request as Record<string, unknown>;
  if (typeof method !== 'string') throw new JsonRpcParseError("Invalid field 'method' in request body");
  let version: JsonRpcVersion;
  if (jsonrpc === undefined) version = 1;
  else if (jsonrpc === '2.0') version = 2;
  else throw new JsonRpcParseError("Invalid field 'jsonrpc' in request body");
  if (typeof id !== 'string' && typeof id !== 'number') throw new JsonRpcParseError('Required field id is missing');
  const list = paramsOf(version, params);
  if (depthOver(list, MAX_JSON_DEPTH)) throw new JsonRpcParseError(`'params' nested deeper than ${MAX_JSON_DEPTH}`);
  return { version, id, method, params: list };
}

/** Whether `value` nests arrays and objects more than `limit` deep; iterative, so any depth is safe. */
function depthOver(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [next, depth] = pending.pop() as [unknown, number];
    if (typeof next !== 'object' || next === null) continue;
    if (depth > limit) return true;
    for (const inner of Object.values(next)) pending.push([inner, depth + 1]);
  }
  return false;
}

function paramsOf(version: JsonRpcVersion, params: unknown): unknown[] {
  if (Array.isArray(params)) return params;
  if (version === 2 && params === undefined) return [];
  if (version === 2 && typeof params === 'object' && params !== null) return [params];
  throw new JsonRpcParseError("Invalid field 'params' in request body");
}

export function formatJsonRpcSuccess(call: Pick<JsonRpcCall, 'version' | 'id'>, result: WireValue): string {
  if (call.version === 1) return JSON.stringify({ result, error: null, id: call.id });
  return JSON.stringify({ jsonrpc: '2.0', result, id: call.id });
}

export function formatJsonRpcFailure(call: Pick<JsonRpcCall, 'version' | 'id'>, code: string, params: string[]): string {
  if (call.version === 1) return JSON.stringify({ result: null, error: [code, ...params], id: call.id });
  return JSON.stringify({ jsonrpc: '2.0', error: { code: 1, message: code, data: params }, id: call.id });
}
