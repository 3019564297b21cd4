// The guest side of a simulated VM: a TCP proxy on a loopback port in front of the application the
// VM "runs". A live migration acts on the guest through it, the way Xen's pre-copy acts on a real
// one (docs/migration-model.md):
// - pre-copy: the guest answers slower, because migration steals its CPU and memory bandwidth;
// - stop-and-copy: the guest is paused; nothing moves in either direction, new connections are
//   accepted by the kernel but wait, and nothing is dropped;
// - after resume: queued traffic flows again in order and a warm-up penalty decays away.

import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { InvalidInputError } from '../invalid/index.ts';
import { logger, type Logger } from '../log/index.ts';
import { GuestRelay } from './guest-relay.ts';

export interface GuestProxyOptions {
  target: { host: string; port: number };
  /** Default 127.0.0.1. */
  listenHost?: string;
  /** Default 0 (ephemeral). */
  listenPort?: number;
  /** >= 1, default 1.5: during pre-copy the guest answers this many times slower. */
  precopySlowdown?: number;
  /** Extra delay right after resume (default 50 ms), decaying to 0 ... */
  warmupPenaltyMs?: number;
  /** ... over this long (default 5000 ms). */
  warmupDecayMs?: number;
}

export type GuestPhase = 'running' | 'precopy' | 'frozen' | 'warmup';

export interface GuestProxyStats {
  /** Connections accepted since start. */
  connections: number;
  /** Time spent frozen since start, including a freeze under way. */
  frozenMs: number;
  /** Length of the latest freeze (so far, if one is under way); 0 before the first. */
  lastFreezeMs: number;
}

export const GUEST_PROXY_DEFAULTS = {
  listenHost: '127.0.0.1',
  listenPort: 0,
  precopySlowdown: 1.5,
  warmupPenaltyMs: 50,
  warmupDecayMs: 5000,
} as const;

type ResolvedOptions = Required<GuestProxyOptions>;

/** A client and the upstream connection to the application, relayed both ways. */
interface GuestConnection {
  client: Socket;
  upstream: Socket;
  requests?: GuestRelay;
  responses?: GuestRelay;
  /** When the latest request bytes reached the application, while its answer has not started. */
  awaitingAnswerSince?: number;
  /** Delay given to the answer under way, kept for all its chunks so they stay together. */
  answerDelayMs: number;
}

export class GuestProxy {
  readonly port: number;
  readonly host: string;
  readonly url: string;

  readonly #server: Server;
  readonly #options: ResolvedOptions;
  readonly #log: Logger;
  readonly #connections = new Set<GuestConnection>();
  /** Clients accepted while frozen: connected upstream on resume, in arrival order. */
  readonly #waiting: Socket[] = [];
  #phase: GuestPhase = 'running';
  #resumedAt = 0;
  #frozenAt = 0;
  #frozenMsBefore = 0;
  #lastFreezeMs = 0;
  #accepted = 0;
  #closed = false;

  static async start(options: GuestProxyOptions): Promise<GuestProxy> {
    const resolved: ResolvedOptions = { ...GUEST_PROXY_DEFAULTS, ...withoutUndefined(options), target: options.target };
    validateGuestProxyOptions(resolved);
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(resolved.listenPort, resolved.listenHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new GuestProxy(server, resolved);
  }

  private constructor(server: Server, options: ResolvedOptions) {
    this.#server = server;
    this.#options = options;
    const address = server.address() as AddressInfo;
    this.port = address.port;
    this.host = options.listenHost;
    this.url = `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
    this.#log = logger().child({ component: 'guest-proxy', listen: this.url, target: `${options.target.host}:${options.target.port}` });
    server.on('connection', (client: Socket) => this.#accept(client));
    server.on('error', (error) => this.#log.error({ err: error }, 'guest proxy listener failed'));
  }

  get phase(): GuestPhase {
    if (this.#phase === 'warmup' && performance.now() >= this.#resumedAt + this.#options.warmupDecayMs) this.#phase = 'running';
    return this.#phase;
  }

  /** Pre-copy begins: answers slow down. */
  enterPrecopy(): void {
    if (this.phase === 'frozen') throw new Error('the guest is frozen for stop-and-copy; resume() it before another pre-copy');
    this.#phase = 'precopy';
  }

  /** Stop-and-copy begins: hold both directions of every connection and every new one. */
  freeze(): void {
    if (this.#phase === 'frozen') return;
    this.#phase = 'frozen';
    this.#frozenAt = performance.now();
    for (const connection of this.#connections) {
      connection.requests?.hold();
      connection.responses?.hold();
    }
  }

  /**
   * Stop-and-copy ends: release everything queued in order and enter warm-up. Called during
   * pre-copy (a migration abandoned before the pause), it only ends the slowdown.
   */
  resume(): void {
    if (this.#phase === 'precopy') {
      this.#phase = 'running';
      return;
    }
    if (this.#phase !== 'frozen') return;
    const now = performance.now();
    this.#lastFreezeMs = now - this.#frozenAt;
    this.#frozenMsBefore += this.#lastFreezeMs;
    this.#resumedAt = now;
    this.#phase = 'warmup';
    for (const connection of this.#connections) {
      connection.requests?.release();
      connection.responses?.release();
    }
    for (const client of this.#waiting.splice(0)) this.#open(client);
  }

  stats(): GuestProxyStats {
    const ongoing = this.#phase === 'frozen' ? performance.now() - this.#frozenAt : undefined;
    return {
      connections: this.#accepted,
      frozenMs: this.#frozenMsBefore + (ongoing ?? 0),
      lastFreezeMs: ongoing ?? this.#lastFreezeMs,
    };
  }

  /** Stops listening and tears down every connection, including those waiting out a freeze. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const client of this.#waiting.splice(0)) client.destroy();
    for (const connection of [...this.#connections]) this.#tearDown(connection);
    await stopped;
  }

  #accept(client: Socket): void {
    this.#accepted += 1;
    client.on('error', (error) => this.#log.debug({ err: error }, 'guest client connection failed'));
    if (this.#closed) {
      client.destroy();
    } else if (this.#phase === 'frozen') {
      // The kernel accepted it; like a paused VM, nobody answers until resume.
      this.#waiting.push(client);
      client.once('close', () => {
        const at = this.#waiting.indexOf(client);
        if (at >= 0) this.#waiting.splice(at, 1);
      });
    } else {
      this.#open(client);
    }
  }

  #open(client: Socket): void {
    if (client.destroyed) return;
    const { host, port } = this.#options.target;
    const upstream = connect({ host, port, allowHalfOpen: true });
    const connection: GuestConnection = { client, upstream, answerDelayMs: 0 };
    this.#connections.add(connection);

    client.on('error', () => this.#tearDown(connection));
    upstream.on('error', (error) => {
      this.#log.warn({ err: error }, 'guest application connection failed; closing the client connection');
      this.#tearDown(connection);
    });
    client.on('close', () => this.#closedOne(connection, 'client'));
    upstream.on('close', () => this.#closedOne(connection, 'upstream'));
    upstream.once('connect', () => this.#relay(connection));
  }

  #relay(connection: GuestConnection): void {
    const held = this.#phase === 'frozen';
    connection.requests = new GuestRelay({
      source: connection.client,
      sink: connection.upstream,
      held,
      onForward: () => {
        connection.awaitingAnswerSince = performance.now();
      },
    });
    connection.responses = new GuestRelay({
      source: connection.upstream,
      sink: connection.client,
      held,
      delayFor: () => this.#answerDelay(connection),
    });
  }

  /** The delay of a chunk from the application: fixed when an answer starts, kept for the rest of it. */
  #answerDelay(connection: GuestConnection): number {
    const since = connection.awaitingAnswerSince;
    if (since === undefined) return connection.answerDelayMs;
    connection.awaitingAnswerSince = undefined;
    const now = performance.now();
    const phase = this.phase;
    if (phase === 'precopy') connection.answerDelayMs = (this.#options.precopySlowdown - 1) * (now - since);
    else if (phase === 'warmup') connection.answerDelayMs = this.#options.warmupPenaltyMs * (1 - (now - this.#resumedAt) / this.#options.warmupDecayMs);
    else connection.answerDelayMs = 0;
    return connection.answerDelayMs;
  }

  /**
   * A socket closed. After an orderly half-close on both sides this is the normal end, and the
   * other direction may still be delivering; anything else means the pair cannot go on.
   */
  #closedOne(connection: GuestConnection, side: 'client' | 'upstream'): void {
    const [incoming, outgoing] = side === 'client' ? [connection.requests, connection.responses] : [connection.responses, connection.requests];
    const orderly = incoming?.sourceEnded === true && outgoing?.finished === true;
    if (!orderly) this.#tearDown(connection);
    else if (connection.client.destroyed && connection.upstream.destroyed) this.#forget(connection);
  }

  #tearDown(connection: GuestConnection): void {
    connection.requests?.stop();
    connection.responses?.stop();
    connection.client.destroy();
    connection.upstream.destroy();
    this.#forget(connection);
  }

  #forget(connection: GuestConnection): void {
    this.#connections.delete(connection);
  }
}

function validateGuestProxyOptions(options: ResolvedOptions): void {
  const port = (field: string, value: number, allowZero: boolean): void => {
    if (!Number.isInteger(value) || value < (allowZero ? 0 : 1) || value > 65535) {
      throw new InvalidInputError(field, `must be a TCP port number${allowZero ? ' (0 for any free port)' : ''} (got ${value})`);
    }
  };
  if (!options.target || typeof options.target.host !== 'string' || options.target.host === '') {
    throw new InvalidInputError('target.host', 'the guest application needs a host to connect to');
  }
  port('target.port', options.target.port, false);
  port('listenPort', options.listenPort, true);
  if (!Number.isFinite(options.precopySlowdown) || options.precopySlowdown < 1) {
    throw new InvalidInputError('precopySlowdown', `must be at least 1 (1 = no slowdown; got ${options.precopySlowdown})`);
  }
  if (!Number.isFinite(options.warmupPenaltyMs) || options.warmupPenaltyMs < 0) {
    throw new InvalidInputError('warmupPenaltyMs', `must be zero or more milliseconds (got ${options.warmupPenaltyMs})`);
  }
  if (!Number.isFinite(options.warmupDecayMs) || options.warmupDecayMs < 0) {
    throw new InvalidInputError('warmupDecayMs', `must be zero or more milliseconds (got ${options.warmupDecayMs})`);
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
