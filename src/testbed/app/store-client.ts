// The site's side of the database guest: the store protocol over a few TCP connections to it (in
// the testbed, to the db VM's guest proxy). Each call takes an idle connection, or opens one up
// to the limit, or waits its turn; a connection carries one request at a time, as a PHP worker's
// MySQL connection does. A call waits as long as the database takes: while the db VM is paused,
// the site's requests wait with it, which is what a migration of the database tier costs.
import { connect, type Socket } from 'node:net';
import { InvalidInputError } from '../../invalid/index.ts';
import { STORE_METHODS, type SiteStore } from './site-store.ts';
import { decodeLine, encodeLine, readLines, type StoreReply } from './store-protocol.ts';

export interface StoreAddress {
  host: string;
  port: number;
}

interface Call {
  line: string;
  resolve: (reply: StoreReply) => void;
  reject: (error: Error) => void;
}

/** One connection, one request at a time. */
class StoreConnection {
  readonly socket: Socket;
  #current: Call | undefined;
  #closed = false;

  constructor(address: StoreAddress, onClose: (connection: StoreConnection) => void) {
    this.socket = connect(address.port, address.host);
    this.socket.setNoDelay(true);
    readLines(this.socket, (line) => {
      const call = this.#current;
      this.#current = undefined;
      try {
        call?.resolve(decodeLine(line) as StoreReply);
      } catch (error) {
        call?.reject(error as Error);
      }
    });
    const close = (error?: Error) => {
      if (this.#closed) return;
      this.#closed = true;
      this.#current?.reject(new Error(`the database at ${address.host}:${address.port} closed the connection${error ? `: ${error.message}` : ''}`));
      this.#current = undefined;
      onClose(this);
    };
    this.socket.on('error', close);
    this.socket.on('close', () => close());
  }

  send(call: Call): void {
    this.#current = call;
    this.socket.write(call.line);
  }
}

export interface RemoteStore extends SiteStore {
  close(): void;
}

export function connectStore(address: StoreAddress, maxConnections = 16): RemoteStore {
  const idle: StoreConnection[] = [];
  const all = new Set<StoreConnection>();
  const queued: Call[] = [];
  let closed = false;

  const forget = (connection: StoreConnection) => {
    all.delete(connection);
    const at = idle.indexOf(connection);
    if (at !== -1) idle.splice(at, 1);
    dispatch();
  };

  /** Hands queued calls to idle connections, opening new ones up to the limit. */
  function dispatch(): void {
    while (queued.length > 0 && !closed) {
      let connection = idle.pop();
      if (!connection) {
        if (all.size >= maxConnections) return;
        connection = new StoreConnection(address, forget);
        all.add(connection);
      }
      const call = queued.shift()!;
      const used = connection;
      used.send({
        ...call,
        resolve: (reply) => {
          idle.push(used);
          call.resolve(reply);
          dispatch();
        },
      });
    }
  }

  async function request(method: string, args: unknown[]): Promise<unknown> {
    if (closed) throw new Error('the store client is closed');
    const reply = await new Promise<StoreReply>((resolve, reject) => {
      queued.push({ line: encodeLine({ method, args }), resolve, reject });
      dispatch();
    });
    if ('error' in reply) throw reply.error.field === undefined ? new Error(`database: ${reply.error.message}`) : new InvalidInputError(reply.error.field, reply.error.message);
    return reply.result;
  }

  const calls = Object.fromEntries(STORE_METHODS.map((method) => [method, (...args: unknown[]) => request(method, args)]));
  return {
    ...calls,
    ping: async () => {
      await request('ping', []);
    },
    close: () => {
      closed = true;
      for (const connection of all) connection.socket.destroy();
      for (const call of queued.splice(0)) call.reject(new Error('the store client was closed'));
    },
  } as RemoteStore;
}
