// The endpoint against hostile requests (issue 10's review): oversize bodies, deep nesting, CORS.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispatcher } from './dispatch.ts';
import { MAX_BODY_BYTES, startXapiEndpoint, type XapiEndpoint } from './server.ts';
import { MAX_XML_DEPTH, parseXmlRpcCall, XmlRpcParseError } from './xml-rpc.ts';

const calls: string[] = [];
const dispatcher = {
  call: (method: string) => {
    calls.push(method);
    return Promise.resolve({ ok: true, value: 'pong' });
  },
} as unknown as Dispatcher;

let endpoint: XapiEndpoint;
beforeAll(async () => {
  endpoint = await startXapiEndpoint({ dispatcher });
});
afterAll(() => endpoint.close());

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** POSTs `body` (or, with `declare`, only a Content-Length header and nothing after it). */
function post(path: string, body: string | Buffer, headers: Record<string, string | number> = {}, sendBody = true): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${endpoint.url.replace(/\/$/, '')}${path}`, { method: 'POST', headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    if (sendBody) request.end(body);
    else request.flushHeaders();
  });
}

const ping = '<?xml version="1.0"?><methodCall><methodName>system.ping</methodName><params></params></methodCall>';

describe('Given an ordinary call', () => {
  it('Then it is answered, with no CORS header that would let any web page call XAPI', async () => {
    const answer = await post('/', ping, { 'content-type': 'text/xml' });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers['access-control-allow-headers']).toBeUndefined();
  });
});

describe('Given a body over the limit', () => {
  it('When its Content-Length says so, Then 413 comes before any of the body is sent', async () => {
    const answer = await post('/', '', { 'content-type': 'text/xml', 'content-length': MAX_BODY_BYTES + 1 }, false);
    expect(answer.status).toBe(413);
    expect(answer.body).toContain('413');
  });

  it('When it comes chunked, without a length, Then 413 (not 500), and the server still answers', async () => {
    const answer = await post('/jsonrpc', Buffer.alloc(MAX_BODY_BYTES + 1024, 0x20), { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }).catch(
      (error: NodeJS.ErrnoException) => ({ status: -1, headers: {}, body: error.code ?? '' }),
    );
    // The server may close the connection while the client is still writing: then the client sees
    // a reset rather than the 413 it was sent; never a 500.
    expect([413, -1]).toContain(answer.status);
    expect((await post('/', ping)).status).toBe(200);
  });
});

describe(`Given XML-RPC nested deeper than ${MAX_XML_DEPTH} elements`, () => {
  const nested = (depth: number) =>
    `<?xml version="1.0"?><methodCall><methodName>system.ping</methodName><params><param>${'<value><array><data>'.repeat(depth)}${'</data></array></value>'.repeat(depth)}</param></params></methodCall>`;

  it('Then the parser refuses it as malformed, naming the bound, instead of overflowing the stack', () => {
    expect(() => parseXmlRpcCall(nested(100_000))).toThrow(XmlRpcParseError);
    expect(() => parseXmlRpcCall(nested(100_000))).toThrow(`nested deeper than ${MAX_XML_DEPTH}`);
  });

  it('Then nesting within the bound is still decoded', () => {
    expect(parseXmlRpcCall(nested(15)).params).toHaveLength(1);
  });

  it('Then the server answers it as XAPI answers a body that is not a call, and goes on serving', async () => {
    const answer = await post('/', nested(100_000));
    expect(answer.status).toBe(500);
    expect(answer.body).toContain('Xmlrpc.Parse_error');
    expect(answer.body).toContain('nested deeper');
    expect((await post('/', ping)).status).toBe(200);
  });
});
