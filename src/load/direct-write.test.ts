// Writes to a socket's handle against real loopback sockets: bytes the kernel takes at once, bytes
// it cannot take whole (queued by libuv, written later, in order), and a write the kernel refuses
// (reported with its error code, as the socket's 'error' event would).
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { directWriter } from './direct-write.ts';

const servers: Server[] = [];
const clients: Socket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server handing each accepted socket to `accept`, and a client connected to it. */
async function pair(accept: (socket: Socket) => void): Promise<Socket> {
  const server = createServer(accept);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  // A reset peer makes the socket emit 'error' (the writes below are what is tested).
  client.on('error', () => undefined);
  clients.push(client);
  await new Promise((resolve) => client.once('connect', resolve));
  return client;
}

const write = directWriter();

describe.skipIf(write === undefined)('Given a connected plain TCP socket', () => {
  it('When small writes are made, Then the peer receives every byte in order', async () => {
    let received = '';
    const got = new Promise<void>((resolve) => {
      void pair((socket) =>
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          if (received.length === 30) resolve();
        }),
      ).then((client) => {
        for (let i = 0; i < 10; i++) expect(write!(client, Buffer.from(`<${i}>`), (error) => expect.fail(error.message))).toBe(true);
      });
    });
    await got;
    expect(received).toBe(Array.from({ length: 10 }, (_, i) => `<${i}>`).join(''));
  });

  it('When a write is larger than the kernel takes at once, Then it is queued, written whole later, and the next write waits for the socket', async () => {
    const size = 8 * 1024 * 1024;
    let peer: Socket | undefined;
    const client = await pair((socket) => {
      peer = socket;
      socket.pause();
    });
    const failures: Error[] = [];
    const bytes = Buffer.alloc(size, 7);
    expect(write!(client, bytes, (error) => failures.push(error))).toBe(true);
    // libuv holds the rest: a direct write now would jump the queue, so the caller must use the socket.
    expect(write!(client, Buffer.from('x'), (error) => failures.push(error))).toBe(false);
    let received = 0;
    await new Promise<void>((resolve) => {
      peer!.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received === size) resolve();
      });
      peer!.resume();
    });
    expect(received).toBe(size);
    expect(failures).toEqual([]);
  });

  it('When the kernel refuses the write (the sending side is shut), Then the failure is reported with its error code', async () => {
    const client = await pair((socket) => socket.resume());
    await new Promise<void>((resolve) => client.end(() => resolve()));
    const failures: (Error & { code: string })[] = [];
    expect(write!(client, Buffer.from('GET / HTTP/1.1\r\n\r\n'), (error) => failures.push(error))).toBe(true);
    expect(failures.map((error) => error.code)).toEqual(['EPIPE']);
  });
});
