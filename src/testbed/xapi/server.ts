// The HTTP(S) endpoint, routed as xapi routes it (the longest matching prefix wins): POST /jsonrpc
// is JSON-RPC and every other POST (/, /RPC2, the xen-api client's /xmlrpc) is XML-RPC. Replies
// carry Content-Type exactly `application/json` or `text/xml`: the xen-api client falls back to
// XML-RPC when the JSON reply's type is anything else, even with a charset. A body that is not a
// call at all gets HTTP 500, as from xapi; a body over 16 MiB gets 413, refused from its
// Content-Length before it is read when it declares one. No CORS headers: no web page may call it.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { InvalidInputError } from '../../invalid/index.ts';
import type { Dispatcher } from './dispatch.ts';
import { formatJsonRpcFailure, formatJsonRpcSuccess, JsonRpcParseError, parseJsonRpcCall } from './json-rpc.ts';
import { formatXmlRpcBare, formatXmlRpcFailure, formatXmlRpcSuccess, parseXmlRpcCall, XmlRpcParseError } from './xml-rpc.ts';

export interface XapiEndpointOptions {
  dispatcher: Dispatcher;
  /** PEM key and certificate chain for HTTPS; plain HTTP without. */
  tls?: { key: string; cert: string };
  host?: string;
  port?: number;
}

export interface XapiEndpoint {
  url: string;
  port: number;
  /** Drops every connection and refuses new ones for `ms`, then listens again on the same port (a test's fault). */
  cut(ms: number): Promise<void>;
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A request body over MAX_BODY_BYTES: answered 413, and the connection closed. */
class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
}

export async function startXapiEndpoint(options: XapiEndpointOptions): Promise<XapiEndpoint> {
  const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
    handle(options.dispatcher, request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else if (error instanceof BodyTooLarge) tooLarge(response, error.message);
      else reply(response, 500, 'text/html', errorPage(String(error)));
    });
  };
  const server = options.tls ? https.createServer({ ...options.tls }, handler) : http.createServer(handler);
  const host = options.host ?? '127.0.0.1';
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const refuse = (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') return reject(error);
        reject(new InvalidInputError('port', `${host}:${port} is already in use; choose another port, or 0 for any free one`));
      };
      server.once('error', refuse);
      server.listen(port, host, () => {
        server.off('error', refuse);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve, reject) => {
      if (!server.listening) return resolve();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  await listen(options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  let closed = false;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}/`,
    port,
    cut: async (ms) => {
      await stop();
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (!closed) await listen(port);
    },
    close: () => {
      closed = true;
      return stop();
    },
  };
}

async function handle(dispatcher: Dispatcher, request: http.IncomingMessage, response: http.ServerResponse) {
  if (request.method !== 'POST') {
    reply(response, 404, 'text/html', errorPage(`${request.method} ${request.url} is not served by this simulated host`));
    return;
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new BodyTooLarge(`a request body of ${declared} bytes is over the ${MAX_BODY_BYTES} this host reads`);
  const body = await readBody(request);
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/jsonrpc' || path.startsWith('/jsonrpc/')) await answerJsonRpc(dispatcher, body, response);
  else await answerXmlRpc(dispatcher, body, response);
}

async function answerJsonRpc(dispatcher: Dispatcher, body: string, response: http.ServerResponse) {
  let call;
  try {
    call = parseJsonRpcCall(body);
  } catch (error) {
    if (error instanceof JsonRpcParseError) return reply(response, 500, 'text/html', errorPage(`Jsonrpc.Malformed_method_request(${error.message})`));
    throw error;
  }
  const outcome = await dispatcher.call(call.method, call.params);
  const json = outcome.ok
    ? formatJsonRpcSuccess(call, outcome.value)
    : formatJsonRpcFailure(call, outcome.failure.code, outcome.failure.params);
  reply(response, 200, 'application/json', json);
}

async function answerXmlRpc(dispatcher: Dispatcher, body: string, response: http.ServerResponse) {
  let call;
  try {
    call = parseXmlRpcCall(body);
  } catch (error) {
    if (error instanceof XmlRpcParseError) return reply(response, 500, 'text/html', errorPage(`Xmlrpc.Parse_error(${error.message})`));
    throw error;
  }
  const outcome = await dispatcher.call(call.method, call.params);
  let xml: string;
  if (!outcome.ok) xml = formatXmlRpcFailure(outcome.failure.code, outcome.failure.params);
  else xml = outcome.bare ? formatXmlRpcBare(outcome.value) : formatXmlRpcSuccess(outcome.value);
  reply(response, 200, 'text/xml', xml);
}

function reply(response: http.ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** 413, and the connection closed: the rest of the body is never read. */
function tooLarge(response: http.ServerResponse, detail: string): void {
  const body = errorPage(detail, '413 request entity too large');
  response.writeHead(413, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body), connection: 'close' });
  // `connection: close` makes Node end the socket once the reply is written.
  response.end(body);
}

function errorPage(detail: string, status = '500 internal server error'): string {
  const escaped = detail.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return `<html><body><h1>HTTP ${status}</h1>An unexpected error occurred.<h1> Additional information </h1>${escaped}</body></html>`;
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge(`a request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
