// Every HTTP exchange with the API server goes through here, so that content types, timeouts,
// TLS and errors live in one place. client-node's generated clients are avoided for writes on
// purpose: their patch methods default to JSON-patch whatever the body, and their typed models
// drop keys they do not know (x-kubernetes-*, default, enum), which corrupts CRDs and custom objects.
import type { RequestOptions as HttpsOptions } from 'node:https';
import { PatchStrategy, type KubeConfig } from '@kubernetes/client-node';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | undefined>;

export const JSON_CONTENT = 'application/json';
export const MERGE_PATCH = PatchStrategy.MergePatch;
export const JSON_PATCH = PatchStrategy.JsonPatch;
export const APPLY_PATCH = PatchStrategy.ServerSideApply;

export interface KubeRequestOptions {
  query?: Query;
  signal?: AbortSignal;
  /** Give up on an answer after this long (default 30 s): a dead connection must not hang a caller. */
  timeoutMs?: number;
}

export interface WatchEvent<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The API server said no: `status` is the HTTP code, `reason` the Status reason (NotFound, Conflict...). */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly body: unknown;

  constructor(method: string, path: string, status: number, body: unknown) {
    const detail = statusDetail(body);
    super(`${method} ${path}: ${status} ${detail.reason}${detail.message ? `: ${detail.message}` : ''}`);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = detail.reason;
    this.body = body;
  }

  /** The same number as `status`, under the name client-node's ApiException uses. */
  get code(): number {
    return this.status;
  }
}

export const isNotFound = (error: unknown): boolean => error instanceof KubeApiError && error.status === 404;
export const isConflict = (error: unknown): boolean => error instanceof KubeApiError && error.status === 409;
export const isGone = (error: unknown): boolean => error instanceof KubeApiError && error.status === 410;

const clients = new WeakMap<KubeConfig, KubeClient>();

export class KubeClient {
  readonly server: string;
  readonly #kubeConfig: KubeConfig;
  #dispatcher: Promise<Dispatcher> | undefined;

  /** The client of a KubeConfig, made once so that its connections are shared. */
  static for(kubeConfig: KubeConfig): KubeClient {
    let client = clients.get(kubeConfig);
    if (!client) {
      client = new KubeClient(kubeConfig);
      clients.set(kubeConfig, client);
    }
    return client;
  }

  constructor(kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster: set current-context to a context with a cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    this.#kubeConfig = kubeConfig;
  }

  /** Sends `body` as JSON (YAML's superset, so also for apply patches) with `contentType`. */
  async request<T = unknown>(
    method: HttpMethod,
    path: string,
    body?: unknown,
    contentType: string = JSON_CONTENT,
    options: KubeRequestOptions = {},
  ): Promise<T> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers = await this.#headers();
    if (body !== undefined) headers['content-type'] = contentType;
    const target = this.#url(path, options.query);
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await request(target, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: await this.#dispatcherOnce(),
        signal,
      });
      text = await response.body.text();
    } catch (error) {
      throw transportError(method, path, error, timeout.aborted ? options.timeoutMs ?? DEFAULT_TIMEOUT_MS : undefined);
    }
    const parsed = text === '' ? undefined : parseJson(text);
    if (response.statusCode >= 400) throw new KubeApiError(method, path, response.statusCode, parsed ?? text);
    return parsed as T;
  }

  /**
   * Opens a watch and yields its events until the server ends it, `signal` aborts, or the
   * connection fails (thrown). No idle timeout here: the informer's watchdog owns that decision.
   */
  async watch<T>(path: string, query: Query, signal: AbortSignal): Promise<AsyncGenerator<WatchEvent<T>>> {
    const headers = await this.#headers();
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.#url(path, { ...query, watch: true }), {
        method: 'GET',
        headers,
        dispatcher: await this.#dispatcherOnce(),
        signal,
        headersTimeout: DEFAULT_TIMEOUT_MS,
        bodyTimeout: 0,
      });
    } catch (error) {
      throw transportError('WATCH', path, error, undefined);
    }
    if (response.statusCode !== 200) {
      const text = await response.body.text().catch((error: unknown) => String(error));
      throw new KubeApiError('WATCH', path, response.statusCode, text === '' ? undefined : parseJson(text));
    }
    return watchEvents<T>(response.body, path);
  }

  /**
   * Closes the shared connections (at shutdown, in tests), aborting what is still in flight: a
   * watch would otherwise hold a graceful close for up to its 10-minute timeout.
   */
  async close(): Promise<void> {
    const dispatcher = this.#dispatcher;
    this.#dispatcher = undefined;
    if (dispatcher) await (await dispatcher).destroy();
  }

  #url(path: string, query: Query = {}): string {
    const url = new URL(this.server + path);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  /** Asked for each request: tokens from files or exec plugins rotate while the process runs. */
  async #headers(): Promise<Record<string, string>> {
    const options: HttpsOptions = {};
    await this.#kubeConfig.applyToHTTPSOptions(options);
    const headers: Record<string, string> = { accept: JSON_CONTENT, 'user-agent': 'migrascope' };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = String(value);
    }
    if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    return headers;
  }

  #dispatcherOnce(): Promise<Dispatcher> {
    this.#dispatcher ??= this.#makeDispatcher();
    return this.#dispatcher;
  }

  async #makeDispatcher(): Promise<Dispatcher> {
    const options: HttpsOptions = {};
    await this.#kubeConfig.applyToHTTPSOptions(options);
    const tls = Object.fromEntries(
      Object.entries({
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        rejectUnauthorized: options.rejectUnauthorized,
        servername: options.servername,
      }).filter(([, value]) => value !== undefined),
    );
    // TCP keep-alive finds a peer that vanished without a reset (a node gone, a NAT forgetting us).
    const connect = { ...tls, keepAlive: true, keepAliveInitialDelay: 30_000 };
    const proxyUrl = this.#kubeConfig.getCurrentCluster()?.proxyUrl;
    if (proxyUrl) {
      if (!/^https?:/.test(proxyUrl)) throw new Error(`proxy-url ${proxyUrl}: only http(s) proxies are supported`);
      return new ProxyAgent({ uri: proxyUrl, requestTls: tls, proxyTls: tls, connect });
    }
    return new Agent({ connect });
  }
}

async function* watchEvents<T>(body: AsyncIterable<Buffer | string>, path: string): AsyncGenerator<WatchEvent<T>> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') yield parseWatchLine<T>(line, path);
      newline = pending.indexOf('\n');
    }
  }
  if (pending.trim() !== '') yield parseWatchLine<T>(pending.trim(), path);
}

function parseWatchLine<T>(line: string, path: string): WatchEvent<T> {
  const event = parseJson(line) as Partial<WatchEvent<T>> | undefined;
  if (typeof event?.type !== 'string' || event.object === undefined) {
    throw new Error(`watch ${path}: not a watch event: ${line.slice(0, 200)}`);
  }
  return event as WatchEvent<T>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON (a proxy's HTML error page): keep the words for the error message
  }
}

function statusDetail(body: unknown): { reason: string; message: string } {
  if (typeof body === 'object' && body !== null) {
    const status = body as { reason?: unknown; message?: unknown };
    return { reason: typeof status.reason === 'string' ? status.reason : 'Error', message: typeof status.message === 'string' ? status.message : '' };
  }
  return { reason: 'Error', message: typeof body === 'string' ? body.slice(0, 300) : '' };
}

function transportError(method: string, path: string, error: unknown, timedOutAfterMs: number | undefined): Error {
  if (timedOutAfterMs !== undefined) return new Error(`${method} ${path}: no answer within ${timedOutAfterMs} ms`, { cause: error });
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`${method} ${path}: ${reason}`, { cause: error });
}
