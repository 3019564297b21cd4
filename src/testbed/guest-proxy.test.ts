// The guest proxy against real loopback servers in this process: an HTTP application like the
// reference app, and raw TCP ones where a test needs to act as the application itself.
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../invalid/index.ts';
import { GuestProxy, type GuestProxyOptions } from './guest-proxy.ts';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listening<T extends Server | HttpServer>(server: T): Promise<{ server: T; port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    return new Promise((resolve) => server.close(resolve));
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An HTTP application: `/ping` answers at once, `/slow?ms=N` after N ms. */
async function httpApp(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = createHttpServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://app');
    const answer = (): void => {
      response.end(`ok ${url.pathname}`);
    };
    if (url.pathname === '/slow') setTimeout(answer, Number(url.searchParams.get('ms') ?? 0));
    else answer();
  });
  server.on('connection', () => (connections += 1));
  const { port } = await listening(server);
  return { port, connections: () => connections };
}

/** A raw TCP application whose server-side sockets the test drives itself. */
async function tcpApp(onConnection: (socket: Socket) => void = () => {}): Promise<{ port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => {}); // the tests that break connections check what the client sees
    onConnection(socket);
  });
  const { port } = await listening(server);
  cleanups.push(() => sockets.forEach((socket) => socket.destroy()));
  return { port, sockets };
}

async function proxyTo(port: number, options: Partial<GuestProxyOptions> = {}): Promise<GuestProxy> {
  const proxy = await GuestProxy.start({ target: { host: '127.0.0.1', port }, ...options });
  cleanups.push(() => proxy.close());
  return proxy;
}

/** A client that half-closes like a person's program may: its FIN and the server's are independent. */
function tcpClient(port: number): { socket: Socket; received: () => Buffer; ended: Promise<void>; closed: Promise<void> } {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  cleanups.push(() => void socket.destroy());
  return {
    socket,
    received: () => Buffer.concat(chunks),
    ended: new Promise((resolve) => socket.once('end', resolve)),
    closed: new Promise((resolve) => socket.once('close', () => resolve())),
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function keepAliveClient(url: string): Client {
  const client = new Client(url);
  cleanups.push(() => client.destroy());
  return client;
}

async function timedGet(client: Client | Pool, path: string): Promise<{ body: string; ms: number; at: number }> {
  const start = performance.now();
  const response = await client.request({ path, method: 'GET' });
  const body = await response.body.text();
  const at = performance.now();
  if (response.statusCode !== 200) throw new Error(`GET ${path}: ${response.statusCode}`);
  return { body, ms: at - start, at };
}

describe('GuestProxy', () => {
  describe('Given a proxy in front of an HTTP application', () => {
    it('then it listens on loopback, requests pass through unchanged, and it counts connections', async () => {
      const app = await httpApp();
      const proxy = await proxyTo(app.port);
      expect(proxy.host).toBe('127.0.0.1');
      expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
      expect(proxy.phase).toBe('running');
      const client = keepAliveClient(proxy.url);
      expect((await timedGet(client, '/ping')).body).toBe('ok /ping');
      expect((await timedGet(client, '/other')).body).toBe('ok /other');
      expect(proxy.stats()).toEqual({ connections: 1, frozenMs: 0, lastFreezeMs: 0 });
    });
  });

  describe('Given clients streaming requests through the proxy', () => {
    it('when the guest is frozen and resumed, then they see one stall as long as the freeze (within 50 ms) and no request fails', async () => {
      const app = await httpApp();
      // No warm-up penalty here: it would add itself to the stall (the warm-up test covers it).
      const proxy = await proxyTo(app.port, { warmupPenaltyMs: 0 });
      const pool = new Pool(proxy.url, { connections: 4 });
      cleanups.push(() => pool.destroy());
      const completions: number[] = [];
      const failures: unknown[] = [];
      let streaming = true;
      const stream = async (): Promise<void> => {
        while (streaming) {
          try {
            const { body, at } = await timedGet(pool, '/ping');
            if (body !== 'ok /ping') throw new Error(`wrong body ${body}`);
            completions.push(at);
          } catch (error) {
            failures.push(error);
          }
        }
      };
      const streams = [stream(), stream(), stream(), stream()];
      await sleep(300);
      proxy.enterPrecopy();
      await sleep(200);
      proxy.freeze();
      const frozenAt = performance.now();
      await sleep(700);
      proxy.resume();
      const resumedAt = performance.now();
      await sleep(300);
      streaming = false;
      await Promise.all(streams);

      expect(failures).toEqual([]);
      completions.sort((a, b) => a - b);
      const gaps = completions.slice(1).map((at, i) => ({ from: completions[i] ?? at, to: at, ms: at - (completions[i] ?? at) }));
      const stall = gaps.reduce((longest, gap) => (gap.ms > longest.ms ? gap : longest));
      const freezeMs = proxy.stats().lastFreezeMs;
      // The proxy's own account of the freeze is the one the test saw from outside.
      expect(Math.abs(freezeMs - (resumedAt - frozenAt))).toBeLessThan(10);
      expect(Math.abs(stall.ms - freezeMs)).toBeLessThan(50);
      // The stall is the freeze, not some other hiccup, and traffic flowed on both sides of it.
      expect(stall.from).toBeLessThanOrEqual(frozenAt + 20);
      expect(stall.to).toBeGreaterThanOrEqual(resumedAt);
      expect(completions.filter((at) => at < frozenAt).length).toBeGreaterThan(10);
      expect(completions.filter((at) => at > resumedAt).length).toBeGreaterThan(10);
    });

    it('when connections are opened during the freeze, then they wait, reach the application only after resume, and complete', async () => {
      const app = await httpApp();
      const proxy = await proxyTo(app.port);
      proxy.freeze();
      const connectionsBefore = app.connections();
      const finished: number[] = [];
      const clients = [1, 2, 3].map(() => keepAliveClient(proxy.url));
      const requests = clients.map(async (client, i) => {
        const result = await timedGet(client, `/during-freeze-${i}`);
        finished.push(result.at);
        return result.body;
      });
      await until(() => proxy.stats().connections === 3, 'the kernel to hand the proxy all three connections');
      await sleep(250);
      expect(finished).toEqual([]);
      expect(app.connections()).toBe(connectionsBefore);
      proxy.resume();
      const resumedAt = performance.now();
      expect(await Promise.all(requests)).toEqual(['ok /during-freeze-0', 'ok /during-freeze-1', 'ok /during-freeze-2']);
      for (const at of finished) expect(at).toBeGreaterThanOrEqual(resumedAt);
    });
  });

  describe('Given a raw TCP connection through the proxy', () => {
    it('when frozen, then neither direction moves until resume, and then both do', async () => {
      const app = await tcpApp();
      const proxy = await proxyTo(app.port);
      const client = tcpClient(proxy.port);
      let appReceived = '';
      await until(() => app.sockets.length === 1, 'the application to get the connection');
      const appSide = app.sockets[0] as Socket;
      appSide.on('data', (chunk: Buffer) => (appReceived += chunk.toString()));
      client.socket.write('a');
      await until(() => appReceived === 'a', 'the first byte to arrive');

      proxy.freeze();
      client.socket.write('b');
      appSide.write('x');
      await sleep(200);
      expect(appReceived).toBe('a');
      expect(client.received().toString()).toBe('');

      proxy.resume();
      await until(() => appReceived === 'ab' && client.received().toString() === 'x', 'both held bytes to be released');
    });

    it('when megabytes stream both ways through pre-copy, freezes and resumes, then every byte arrives once and in order', async () => {
      const app = await tcpApp((socket) => socket.pipe(socket));
      const proxy = await proxyTo(app.port, { precopySlowdown: 3 });
      const client = tcpClient(proxy.port);
      const sent = randomBytes(8 * 1024 * 1024);
      let toggling = true;
      const toggler = (async () => {
        while (toggling) {
          proxy.enterPrecopy();
          await sleep(20);
          proxy.freeze();
          await sleep(30);
          proxy.resume();
          await sleep(10);
        }
      })();
      for (let offset = 0; offset < sent.length; offset += 64 * 1024) {
        if (!client.socket.write(sent.subarray(offset, offset + 64 * 1024))) await new Promise((resolve) => client.socket.once('drain', resolve));
      }
      client.socket.end();
      await client.ended;
      toggling = false;
      await toggler;
      expect(client.received().length).toBe(sent.length);
      expect(client.received().equals(sent)).toBe(true);
      expect(proxy.stats().frozenMs).toBeGreaterThan(0);
    });

    it('when the client half-closes, then the application still answers and the answer and its FIN reach the client', async () => {
      const app = await tcpApp((socket) => {
        let request = '';
        socket.on('data', (chunk: Buffer) => (request += chunk.toString()));
        socket.on('end', () => socket.end(`got:${request}`));
      });
      const proxy = await proxyTo(app.port);
      const client = tcpClient(proxy.port);
      client.socket.end('hello');
      await client.ended;
      expect(client.received().toString()).toBe('got:hello');
      await client.closed;
    });

    it('when the application half-closes first, then the client still gets its bytes through to it', async () => {
      let lateRequest = '';
      let appSawEnd = (): void => {};
      const appEnded = new Promise<void>((resolve) => (appSawEnd = resolve));
      const app = await tcpApp((socket) => {
        socket.end('bye');
        socket.on('data', (chunk: Buffer) => (lateRequest += chunk.toString()));
        socket.on('end', () => appSawEnd());
      });
      const proxy = await proxyTo(app.port);
      const client = tcpClient(proxy.port);
      await client.ended;
      expect(client.received().toString()).toBe('bye');
      client.socket.end('late');
      await appEnded;
      expect(lateRequest).toBe('late');
    });

    it('when the application is not listening, then the client connection is closed and the proxy carries on', async () => {
      const proxy = await proxyTo(await unusedPort());
      const first = tcpClient(proxy.port);
      await first.ended;
      const second = tcpClient(proxy.port);
      await second.ended;
      expect(proxy.stats().connections).toBe(2);
    });

    it('when the application resets a connection, then that client is closed and other connections go on', async () => {
      const app = await tcpApp((socket) =>
        socket.on('data', (chunk: Buffer) => {
          if (chunk.toString() === 'reset') socket.resetAndDestroy();
          else socket.write(chunk);
        }),
      );
      const proxy = await proxyTo(app.port);
      const doomed = tcpClient(proxy.port);
      const healthy = tcpClient(proxy.port);
      doomed.socket.write('reset');
      await doomed.ended;
      healthy.socket.write('still here');
      await until(() => healthy.received().toString() === 'still here', 'the healthy connection to echo');
    });
  });

  describe('Given an application that takes 80 ms to answer', () => {
    it('when pre-copy runs with a slowdown of 3, then answers take at least 3 times as long, and no longer once it ends', async () => {
      const app = await httpApp();
      const proxy = await proxyTo(app.port, { precopySlowdown: 3 });
      const client = keepAliveClient(proxy.url);
      await timedGet(client, '/ping');
      const normal = await timedGet(client, '/slow?ms=80');
      proxy.enterPrecopy();
      const slowed = await timedGet(client, '/slow?ms=80');
      proxy.resume(); // the migration was abandoned before stop-and-copy
      expect(proxy.phase).toBe('running');
      const after = await timedGet(client, '/slow?ms=80');
      expect(slowed.ms).toBeGreaterThanOrEqual(3 * 80 - 5);
      expect(normal.ms).toBeLessThan(2 * 80);
      expect(after.ms).toBeLessThan(2 * 80);
    });
  });

  describe('Given a warm-up penalty of 300 ms decaying over 600 ms', () => {
    it('when the guest resumes, then answers right after are slowed by about the penalty, and later ones not at all', async () => {
      const app = await httpApp();
      const proxy = await proxyTo(app.port, { warmupPenaltyMs: 300, warmupDecayMs: 600 });
      const client = keepAliveClient(proxy.url);
      await timedGet(client, '/ping');
      proxy.freeze();
      proxy.resume();
      expect(proxy.phase).toBe('warmup');
      const first = await timedGet(client, '/ping');
      await until(() => proxy.phase === 'running', 'the warm-up to decay');
      const later = await timedGet(client, '/ping');
      expect(first.ms).toBeGreaterThanOrEqual(200);
      expect(later.ms).toBeLessThan(100);
    });
  });

  describe('Given the phases of a migration', () => {
    it('then the proxy goes running -> precopy -> frozen -> warmup -> running and keeps the freeze time', async () => {
      const app = await httpApp();
      const proxy = await proxyTo(app.port, { warmupDecayMs: 100 });
      expect(proxy.phase).toBe('running');
      proxy.enterPrecopy();
      expect(proxy.phase).toBe('precopy');
      proxy.freeze();
      proxy.freeze(); // twice is once
      expect(proxy.phase).toBe('frozen');
      expect(() => proxy.enterPrecopy()).toThrow(/frozen/);
      await sleep(50);
      expect(proxy.stats().lastFreezeMs).toBeGreaterThanOrEqual(49);
      proxy.resume();
      const first = proxy.stats();
      expect(proxy.phase).toBe('warmup');
      proxy.resume(); // not frozen: nothing to do
      proxy.freeze();
      await sleep(30);
      proxy.resume();
      const second = proxy.stats();
      expect(second.frozenMs).toBeCloseTo(first.frozenMs + second.lastFreezeMs, 6);
      await until(() => proxy.phase === 'running', 'the warm-up to end');
    });
  });

  describe('Given a proxy with open and waiting connections', () => {
    it('when it is closed, then every connection is closed and the port no longer accepts', async () => {
      const app = await httpApp();
      const proxy = await proxyTo(app.port);
      const open = tcpClient(proxy.port);
      open.socket.write('GET /ping HTTP/1.1\r\nHost: x\r\n\r\n');
      await until(() => open.received().length > 0, 'an answer on the open connection');
      proxy.freeze();
      const waiting = tcpClient(proxy.port);
      await until(() => proxy.stats().connections === 2, 'the waiting connection to be accepted');
      await proxy.close();
      await Promise.all([open.ended, waiting.ended]);
      const refused = await new Promise<string>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: proxy.port });
        socket.on('connect', () => resolve('connected'));
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
    });
  });

  describe('Given options a person got wrong', () => {
    it.each([
      [{ precopySlowdown: 0.5 }, 'precopySlowdown'],
      [{ precopySlowdown: Number.NaN }, 'precopySlowdown'],
      [{ warmupPenaltyMs: -1 }, 'warmupPenaltyMs'],
      [{ warmupDecayMs: -5 }, 'warmupDecayMs'],
      [{ listenPort: 70000 }, 'listenPort'],
      [{ target: { host: '127.0.0.1', port: 0 } }, 'target.port'],
      [{ target: { host: '', port: 80 } }, 'target.host'],
    ] as const)('then %o is refused naming %s', async (change, field) => {
      const attempt = GuestProxy.start({ target: { host: '127.0.0.1', port: 8080 }, ...change });
      await expect(attempt).rejects.toThrow(InvalidInputError);
      await expect(attempt).rejects.toThrow(new RegExp(`^${field.replace('.', '\\.')}: `));
    });
  });
});
