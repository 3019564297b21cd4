// The HTTP endpoint Prometheus scrapes, with the health probes Kubernetes asks for beside it:
// /metrics, /healthz (the process is alive) and /readyz (it can do its job: e.g. Redis reachable),
// and whatever read-only pages the process adds under a prefix (the controller's /reports/).
//
// With a `guard` (the controller's and workers' in a cluster) /metrics and the pages answer only a
// caller the guard admits: 401 without or with a bad credential, 403 when not allowed, as
// kubebuilder's secure metrics do. The health probes stay open: the kubelet sends no token. With
// `tls` the server speaks HTTPS, which a bearer token needs to stay secret on the wire.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  registry: Registry;
  host?: string;
  port?: number;
  /** Resolves to a reason when not ready, or undefined when ready. */
  readiness?: () => Promise<string | undefined>;
  /** Read-only pages (GET and HEAD) under a path prefix, e.g. the controller's reports. */
  pages?: readonly PageRoute[];
  /** Who may read /metrics and the pages; everyone when undefined. */
  guard?: RequestGuard | undefined;
  /** Serve HTTPS with this PEM key and certificate; plain HTTP when undefined. */
  tls?: { key: string; cert: string } | undefined;
}

export interface PageRoute {
  /** Paths starting with this ("/reports/") go to `render`. */
  prefix: string;
  render(path: string, query: URLSearchParams): Promise<{ status: number; contentType: string; body: string | Uint8Array }>;
  /** What a guard is asked to allow for `path` (default: get on the non-resource URL `<prefix>*`). */
  access?(path: string, query: URLSearchParams): Access;
}

/**
 * What a request wants to do, in Kubernetes' authorization terms: `get` on a URL that is no API
 * resource (/metrics), or `get` on an object (the experiment a report is about).
 */
export type Access = { nonResourcePath: string; verb: string } | { resource: { group: string; resource: string; namespace: string; name: string; verb: string } };

export type GuardDecision = { allowed: true } | { allowed: false; status: 401 | 403; reason: string };

export interface RequestGuard {
  /** `authorization` is the request's Authorization header, if any. */
  admit(authorization: string | undefined, access: Access): Promise<GuardDecision>;
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const route = options.pages?.find((page) => path.startsWith(page.prefix));
    const guarded = route !== undefined || path === '/metrics';
    if (guarded && request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' });
      response.end(`${path} is read-only: GET or HEAD\n`);
      return;
    }
    if (guarded && options.guard) {
      const guard = options.guard;
      Promise.resolve()
        .then(() => guard.admit(request.headers.authorization, route?.access?.(path, url.searchParams) ?? { nonResourcePath: route ? `${route.prefix}*` : path, verb: 'get' }))
        .then((decision) => {
          if (decision.allowed) return serve(request, response, url);
          response.writeHead(decision.status, { 'content-type': 'text/plain', ...(decision.status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
          response.end(`${decision.reason}\n`);
        })
        .catch((error: unknown) => {
          // Neither yes nor no (the API server unreachable): refuse, and say it is not the caller's fault.
          response.writeHead(503, { 'content-type': 'text/plain' });
          response.end(`cannot check access: ${(error as Error).message}\n`);
        });
      return;
    }
    serve(request, response, url);
  };

  const serve = (request: IncomingMessage, response: ServerResponse, url: URL): void => {
    const path = url.pathname;
    const route = options.pages?.find((page) => path.startsWith(page.prefix));
    if (route) {
      route
        .render(path, url.searchParams)
        .then((page) => {
          response.writeHead(page.status, { 'content-type': page.contentType, 'cache-control': 'no-store' });
          response.end(request.method === 'HEAD' ? undefined : page.body);
        })
        .catch((error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(`building ${path} failed: ${(error as Error).message}\n`);
        });
      return;
    }
    if (path === '/metrics') {
      options.registry
        .metrics()
        .then((text) => {
          response.writeHead(200, { 'content-type': options.registry.contentType });
          response.end(text);
        })
        .catch((error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(`collecting metrics failed: ${String(error)}\n`);
        });
      return;
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok\n');
      return;
    }
    if (path === '/readyz') {
      const check = options.readiness ?? (() => Promise.resolve(undefined));
      check()
        .then((reason) => {
          response.writeHead(reason === undefined ? 200 : 503, { 'content-type': 'text/plain' });
          response.end(reason === undefined ? 'ok\n' : `not ready: ${reason}\n`);
        })
        .catch((error: unknown) => {
          response.writeHead(503, { 'content-type': 'text/plain' });
          response.end(`not ready: ${String(error)}\n`);
        });
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    const pages = (options.pages ?? []).map((page) => `, ${page.prefix}...`).join('');
    response.end(`not found: try /metrics, /healthz or /readyz${pages}\n`);
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handle) : createServer(handle);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
