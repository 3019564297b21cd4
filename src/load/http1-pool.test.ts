// The connection pool against real servers on 127.0.0.1 (port 0): Node's http server for the
// ordinary answers, a raw TCP server for the ones Node would not give (a keep-alive connection
// closed without a word, a body cut short). Every server is closed after the tests.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpRequest, ResponseHandler } from './exchange.ts';
import { Http1Pool } from './http1-pool.ts';
import type { ResponseHeaders } from './response-headers.ts';

interface Result {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A handler that records what it hears; `done` settles with the response or the error. */
class Recording implements ResponseHandler {
  abort: ((error?: Error) => void) | undefined;
  status = 0;
  headers: Record<string, string> = {};
  chunks: Buffer[] = [];
  readonly done: Promise<Result>;
  #resolve!: (result: Result) => void;
  #reject!: (error: Error) => void;
  readonly #abortOnConnect: Error | undefined;

  constructor(abortOnConnect?: Error) {
    this.#abortOnConnect = abortOnConnect;
    this.done = new Promise<Result>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.done.catch(() => undefined);
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    if (this.#abortOnConnect) abort(this.#abortOnConnect);
  }

  onHeaders(status: number, headers: ResponseHeaders): boolean {
    this.status = status;
    for (const [name, value] of headers.entries()) this.headers[name.toLowerCase()] = value;
    return true;
  }

  onData(bytes: Buffer, start: number, end: number): boolean {
    // Valid during the call only (a shared read buffer): kept as a copy.
    this.chunks.push(Buffer.from(bytes.subarray(start, end)));
    return true;
  }

  onComplete(): void {
    this.#resolve({ status: this.status, headers: this.headers, body: Buffer.concat(this.chunks).toString(), });
  }

  onError(error: Error): void {
    this.#reject(error);
  }
}

function get(path: string, headers: string[] = []): HttpRequest {
  return { method: 'GET', path, headers, body: undefined };
}

function send(pool: Http1Pool, request: HttpRequest, handler = new Recording()): Recording {
  pool.dispatch(request, handler);
  return handler;
}

function listening(server: HttpServer | TcpServer): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

let http: HttpServer;
let httpUrl: string;
const sockets = new Set<Socket>();
const received: { method: string; url: string; body: string; headers: Record<string, string | string[] | undefined> }[] = [];

beforeAll(async () => {
  http = createHttpServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', body, headers: request.headers });
      if (request.url === '/chunked') {
        response.write('first,');
        setTimeout(() => response.end('second'), 5);
      } else if (request.url?.startsWith('/slow')) {
        setTimeout(() => response.end('slow'), 100);
      } else if (request.url === '/hang') {
        // Never answers.
      } else if (request.url === '/cookie') {
        response.writeHead(200, { 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' });
        response.end('cookies');
      } else {
        response.end(`${request.method} ${request.url} ${body}`);
      }
    });
  });
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  httpUrl = await listening(http);
});

afterAll(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});

describe('Given a pool of 2 connections to an HTTP/1.1 server', () => {
  it('Then a GET comes back with its status, raw headers and body', async () => {
    const pool = new Http1Pool(httpUrl, { connections: 2 });
    const result = await send(pool, get('/hello?x=1', ['accept', 'text/plain'])).done;
    expect(result).toMatchObject({ status: 200, body: 'GET /hello?x=1 ' });
    expect(received.at(-1)?.headers).toMatchObject({ host: httpUrl.slice('http://'.length), accept: 'text/plain' });
    await pool.close();
  });

  it('Then requests one after the other reuse one connection', async () => {
    const pool = new Http1Pool(httpUrl, { connections: 2 });
    const before = new Set(sockets);
    for (let i = 0; i < 5; i++) expect((await send(pool, get(`/seq/${i}`)).done).body).toBe(`GET /seq/${i} `);
    expect([...sockets].filter((socket) => !before.has(socket))).toHaveLength(1);
    expect(pool.openConnections).toBe(1);
    await pool.close();
  });

  it('Then a reused request (encoded once, written straight to the socket) is sent whole every time', async () => {
    const pool = new Http1Pool(httpUrl, { connections: 2 });
    const request: HttpRequest = { ...get('/again', ['accept', 'text/plain']), reused: true };
    for (let i = 0; i < 5; i++) expect((await send(pool, request).done).body).toBe('GET /again ');
    expect(received.slice(-5).map((seen) => [seen.url, seen.headers.accept])).toEqual(Array.from({ length: 5 }, () => ['/again', 'text/plain']));
    await pool.close();
  });

  it('Then 5 requests at once use at most 2 connections and all complete, the waiting ones in order', async () => {
    const pool = new Http1Pool(httpUrl, { connections: 2 });
    const handlers = [0, 1, 2, 3, 4].map((i) => send(pool, get(`/slow/${i}`)));
    expect(pool.openConnections).toBe(2);
    const results = await Promise.all(handlers.map((handler) => handler.done));
    expect(results.map((result) => result.body)).toEqual(['slow', 'slow', 'slow', 'slow', 'slow']);
    expect(received.slice(-3).map((request) => request.url)).toEqual(['/slow/2', '/slow/3', '/slow/4']);
    await pool.close();
  });

  it('Then a POST carries its body with its length, as a string or as bytes', async () => {
    const pool = new Http1Pool(httpUrl, { connections: 2 });
    const text = await send(pool, { method: 'POST', path: '/form', headers: ['content-type', 'application/x-www-form-urlencoded'], body: 'name=élodie' }).done;
    expect(text.body).toBe('POST /form name=élodie');
    expect(received.at(-1)?.headers['content-length']).toBe(String(Buffer.byteLength('name=élodie')));
    const bytes = await send(pool, { method: 'PUT', path: '/upload', headers: [], body: Buffer.alloc(100_000, 'z') }).done;
    expect(bytes.body).toBe(`PUT /upload ${'z'.repeat(100_000)}`);
    await pool.close();
  });

  it('Then a chunked answer written in two pieces is read whole', async () => {
    const pool = new Http1Pool(httpUrl, { connections: 2 });
    expect((await send(pool, get('/chunked')).done).body).toBe('first,second');
    await pool.close();
  });

  it('Then headers a response repeats (Set-Cookie) all reach the handler', async () => {
    const pool = new Http1Pool(httpUrl, { connections: 1 });
    const handler = new Recording();
    const seen: string[] = [];
    handler.onHeaders = (status, headers) => {
      seen.push(...headers.values('set-cookie'));
      return Recording.prototype.onHeaders.call(handler, status, headers);
    };
    await send(pool, get('/cookie'), handler).done;
    expect(seen).toEqual(['a=1', 'b=2']);
    await pool.close();
  });
});

describe('Given requests that must not be sent', () => {
  it('Then a path with a space or a header value with a line break fails at once with UND_ERR_INVALID_ARG, and nothing is sent', async () => {
    const pool = new Http1Pool(httpUrl, { connections: 1 });
    const count = received.length;
    await expect(send(pool, get('/a b')).done).rejects.toMatchObject({ code: 'UND_ERR_INVALID_ARG' });
    await expect(send(pool, get('/', ['x-evil', 'a\r\nhost: elsewhere'])).done).rejects.toMatchObject({ code: 'UND_ERR_INVALID_ARG' });
    expect(pool.openConnections).toBe(0);
    expect(received.length).toBe(count);
    await pool.close();
  });

  it('Then destroying the pool fails what is in flight and what waits', async () => {
    const pool = new Http1Pool(httpUrl, { connections: 1 });
    const inFlight = send(pool, get('/hang'));
    const waiting = send(pool, get('/waiting'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await pool.destroy();
    await expect(inFlight.done).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    await expect(waiting.done).rejects.toMatchObject({ code: 'UND_ERR_DESTROYED' });
  });

  it('Then a closed pool fails new requests with UND_ERR_CLOSED', async () => {
    const pool = new Http1Pool(httpUrl, { connections: 1 });
    await pool.close();
    await expect(send(pool, get('/')).done).rejects.toMatchObject({ code: 'UND_ERR_CLOSED' });
  });
});

describe('Given a request that runs out of time', () => {
  it('Then abort(error) in flight fails it with that error and drops the connection', async () => {
    const pool = new Http1Pool(httpUrl, { connections: 1 });
    const handler = send(pool, get('/hang'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const timeout = new Error('too slow');
    handler.abort?.(timeout);
    await expect(handler.done).rejects.toBe(timeout);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool.openConnections).toBe(0);
    await pool.close();
  });

  it('Then one that times out while waiting is never sent, and the connection it was given serves the next request', async () => {
    const pool = new Http1Pool(httpUrl, { connections: 1 });
    const first = send(pool, get('/slow/first'));
    const expired = send(pool, get('/never'), new Recording(new Error('expired while waiting')));
    const next = send(pool, get('/after'));
    await expect(expired.done).rejects.toThrow('expired while waiting');
    expect((await first.done).body).toBe('slow');
    expect((await next.done).body).toBe('GET /after ');
    expect(received.some((request) => request.url === '/never')).toBe(false);
    expect(pool.openConnections).toBe(1);
    await pool.close();
  });
});

describe('Given a server that misbehaves on the connection', () => {
  let tcp: TcpServer;
  let tcpUrl: string;
  let connections = 0;
  const requests: string[] = [];

  beforeAll(async () => {
    // /once: answers, then closes the keep-alive connection without a word (the race a keep-alive
    // timeout causes). /cut: promises 100 bytes and sends 10. Anything else: "ok".
    tcp = createTcpServer((socket) => {
      connections += 1;
      socket.on('error', () => undefined);
      socket.on('data', (data: Buffer) => {
        const path = data.toString('latin1').split(' ')[1] ?? '';
        requests.push(path);
        if (path === '/cut') {
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789');
          setTimeout(() => socket.destroy(), 10);
        } else if (path.startsWith('/once')) {
          socket.end('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nonce');
        } else {
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
        }
      });
    });
    tcpUrl = await listening(tcp);
  });

  afterAll(async () => {
    await new Promise((resolve) => tcp.close(resolve));
  });

  it('Then a GET on a connection the server closed after its last answer is sent again on a new one and succeeds', async () => {
    const pool = new Http1Pool(tcpUrl, { connections: 1 });
    const first = connections;
    expect((await send(pool, get('/once/1')).done).body).toBe('once');
    // The close may not have been seen yet: the next GET may go out on the dead connection.
    expect((await send(pool, get('/once/2')).done).body).toBe('once');
    expect(connections - first).toBe(2);
    await pool.close();
  });

  /** Sends `second` the moment the first response completes: on the connection the server is closing. */
  function rightAfter(pool: Http1Pool, second: HttpRequest): Recording {
    const next = new Recording();
    const first = new Recording();
    const complete = first.onComplete.bind(first);
    first.onComplete = () => {
      pool.dispatch(second, next);
      complete();
    };
    pool.dispatch(get('/once/first'), first);
    return next;
  }

  it('Then a GET written on the connection as the server closes it is sent again on a new one', async () => {
    const pool = new Http1Pool(tcpUrl, { connections: 1 });
    const first = connections;
    expect((await rightAfter(pool, get('/once/again')).done).body).toBe('once');
    expect(connections - first).toBe(2);
    await pool.close();
  });

  it('Then a POST in the same case is not sent again (it may have been done): it fails with UND_ERR_SOCKET', async () => {
    const pool = new Http1Pool(tcpUrl, { connections: 1 });
    await expect(rightAfter(pool, { method: 'POST', path: '/once/post', headers: [], body: 'x=1' }).done).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    await pool.close();
  });

  it('Then a body cut short fails with UND_ERR_SOCKET after the headers', async () => {
    const pool = new Http1Pool(tcpUrl, { connections: 1 });
    const handler = send(pool, get('/cut'));
    await expect(handler.done).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(handler.status).toBe(200);
    await pool.close();
  });

  it('Then nothing listening fails with ECONNREFUSED', async () => {
    const closed = createTcpServer();
    const url = await listening(closed);
    await new Promise((resolve) => closed.close(resolve));
    const pool = new Http1Pool(url, { connections: 1 });
    await expect(send(pool, get('/')).done).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await pool.close();
  });
});
