// XML-RPC as XAPI speaks it (POST / and /RPC2, Content-Type text/xml). Replies are a struct
// {Status: "Success", Value} or {Status: "Failure", ErrorDescription: [code, params...]}, written
// compactly with no whitespace between elements, strings untyped (`<value>text</value>`), 64-bit
// ints as strings, exactly as ocaml-rpc's Xmlrpc.string_of_response does. system.listMethods is the
// exception: its array is the bare param, without Status (xapi/api_server.ml).
import sax from 'sax';
import { XapiDateTime, XapiFloat, XapiInt, XapiInt32, type WireValue } from './wire.ts';

export interface XmlRpcCall {
  method: string;
  params: unknown[];
}

/** The request body is not an XML-RPC call; XAPI answers these with HTTP 500. */
export class XmlRpcParseError extends Error {
  override name = 'XmlRpcParseError';
}

/**
 * The deepest element nesting read: XAPI's own calls nest a handful of levels (a struct of maps in
 * an array is about 12); decoding is recursive, so a body nested 100,000 deep would overflow the
 * stack. Deeper is refused as malformed, like any other body that is not a call.
 */
export const MAX_XML_DEPTH = 64;

interface XmlNode {
  name: string;
  children: (XmlNode | string)[];
}

export function parseXmlRpcCall(body: string): XmlRpcCall {
  const root = parseXml(body);
  if (root.name !== 'methodCall') throw new XmlRpcParseError(`expected <methodCall>, got <${root.name}>`);
  const methodName = child(root, 'methodName');
  if (!methodName) throw new XmlRpcParseError('<methodCall> without <methodName>');
  const params = child(root, 'params');
  return {
    method: text(methodName).trim(),
    params: params ? elements(params).map((param) => decodeValue(only(param, 'value'))) : [],
  };
}

export function formatXmlRpcSuccess(value: WireValue): string {
  return methodResponse(encodeValue({ Status: 'Success', Value: value }));
}

export function formatXmlRpcFailure(code: string, params: string[]): string {
  return methodResponse(encodeValue({ Status: 'Failure', ErrorDescription: [code, ...params] }));
}

/** A reply without the Status wrapper (system.listMethods). */
export function formatXmlRpcBare(value: WireValue): string {
  return methodResponse(encodeValue(value));
}

function methodResponse(param: string): string {
  return `<?xml version="1.0"?><methodResponse><params><param>${param}</param></params></methodResponse>`;
}

/** One value as XAPI encodes it; also what a task's `result` field holds. */
export function encodeValue(value: WireValue): string {
  if (value === null) return '<value><nil/></value>';
  if (typeof value === 'string') return `<value>${escapeXml(value)}</value>`;
  if (typeof value === 'boolean') return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
  if (value instanceof XapiInt) return `<value>${Math.trunc(value.value)}</value>`;
  if (value instanceof XapiInt32) return `<value><i4>${Math.trunc(value.value)}</i4></value>`;
  if (value instanceof XapiFloat) return `<value><double>${formatDouble(value.value)}</double></value>`;
  if (value instanceof XapiDateTime) return `<value><dateTime.iso8601>${value.text}</dateTime.iso8601></value>`;
  if (Array.isArray(value)) return `<value><array><data>${value.map(encodeValue).join('')}</data></array></value>`;
  const members = Object.entries(value).map(
    ([name, member]) => `<member><name>${escapeXml(name)}</name>${encodeValue(member)}</member>`,
  );
  return `<value><struct>${members.join('')}</struct></value>`;
}

/** OCaml's "%.16g": enough digits to round-trip, no trailing zeros. */
function formatDouble(value: number): string {
  return String(Number(value.toPrecision(16)));
}

/** ocaml-rpc escapes < > & " and drops control characters other than tab, LF and CR. */
function escapeXml(text: string): string {
  const allowed = [...text].filter((ch) => {
    const code = ch.charCodeAt(0);
    return code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
  });
  return allowed
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function parseXml(body: string): XmlNode {
  const parser = sax.parser(true, { trim: false, normalize: false });
  const stack: XmlNode[] = [{ name: '#document', children: [] }];
  const top = (): XmlNode => stack[stack.length - 1] as XmlNode;
  let failure: Error | undefined;
  // Elements deeper than the bound are counted, not kept: the tree stays as deep as the bound.
  let tooDeep = 0;
  parser.onopentag = (tag) => {
    if (tooDeep > 0 || stack.length > MAX_XML_DEPTH) {
      tooDeep += 1;
      failure ??= new Error(`elements nested deeper than ${MAX_XML_DEPTH}`);
      return;
    }
    const node: XmlNode = { name: tag.name, children: [] };
    top().children.push(node);
    stack.push(node);
  };
  parser.onclosetag = () => {
    if (tooDeep > 0) tooDeep -= 1;
    else stack.pop();
  };
  parser.ontext = (chunk) => {
    if (tooDeep === 0) top().children.push(chunk);
  };
  parser.oncdata = (chunk) => {
    if (tooDeep === 0) top().children.push(chunk);
  };
  parser.onerror = (error) => {
    failure ??= error;
    parser.resume();
  };
  parser.write(body).close();
  if (failure) throw new XmlRpcParseError(`malformed XML: ${failure.message.split('\n')[0]}`);
  const root = elements(stack[0] as XmlNode)[0];
  if (!root) throw new XmlRpcParseError('empty request body');
  return root;
}

function decodeValue(node: XmlNode): unknown {
  const typed = elements(node)[0];
  // A <value> with only text is an untyped string (what XAPI itself sends).
  if (!typed) return text(node);
  const content = text(typed);
  switch (typed.name) {
    case 'string':
      return content;
    case 'int':
    case 'i4':
    case 'i8':
    case 'double':
      return Number(content.trim());
    case 'boolean':
      return content.trim() === '1' || content.trim().toLowerCase() === 'true';
    case 'nil':
      return null;
    case 'dateTime.iso8601':
      return content.trim();
    case 'base64':
      return Buffer.from(content.trim(), 'base64').toString('utf8');
    case 'array':
      return elements(only(typed, 'data')).map(decodeValue);
    case 'struct':
      return Object.fromEntries(
        elements(typed).map((member) => [text(only(member, 'name')), decodeValue(only(member, 'value'))]),
      );
    default:
      throw new XmlRpcParseError(`unknown XML-RPC type <${typed.name}>`);
  }
}

/** Element children, ignoring the whitespace text between them. */
function elements(node: XmlNode): XmlNode[] {
  return node.children.filter((c): c is XmlNode => typeof c !== 'string');
}

function child(node: XmlNode, name: string): XmlNode | undefined {
  return elements(node).find((c) => c.name === name);
}

function only(node: XmlNode, name: string): XmlNode {
  const found = child(node, name);
  if (!found) throw new XmlRpcParseError(`<${node.name}> without <${name}>`);
  return found;
}

function text(node: XmlNode): string {
  return node.children.filter((c): c is string => typeof c === 'string').join('');
}
