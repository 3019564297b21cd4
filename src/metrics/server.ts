// The HTTP endpoint Prometheus scrapes, with the health probes Kubernetes asks for beside it:
// /metrics, /healthz (the process is alive) and /readyz (it can do its job: e.g. Redis reachable),
// and whatever read-only pages the process adds under a prefix (the controller's /reports/).
import { createServer, type Server } from 'node:http';
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
}

export interface PageRoute {
  /** Paths starting with this ("/reports/") go to `render`. */
  prefix: string;
  render(path: string, query: URLSearchParams): Promise<{ status: number; contentType: string; body: string }>;
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const route = options.pages?.find((page) => path.startsWith(page.prefix));
    if (route) {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' });
        response.end(`${path} is read-only: GET or HEAD\n`);
        return;
      }
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
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
