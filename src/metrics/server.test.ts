import { X509Certificate } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { Agent, request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { selfSignedServingCertificate } from '../certificates/index.ts';
import { InvalidInputError } from '../invalid/index.ts';
import { refusalOf } from '../invalid/testing.ts';
import { startMetricsServer, type Access, type MetricsServer, type RequestGuard } from './server.ts';
import { servingTls } from './serving-tls.ts';

// The guard is stood in here (the real one asks a kube-apiserver: test/e2e/controller-metrics-auth.test.ts);
// what is tested is what the server does with its answers, and the HTTPS it serves.
const servers: MetricsServer[] = [];
const insecure = new Agent({ connect: { rejectUnauthorized: false } });
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
afterAll(async () => insecure.close());

async function serve(guard: RequestGuard, certDir?: string): Promise<MetricsServer> {
  const server = await startMetricsServer({
    registry: new Registry(),
    guard,
    tls: servingTls(certDir),
    pages: [{ prefix: '/reports/', render: async () => ({ status: 200, contentType: 'text/plain', body: 'report' }), access: (path) => ({ resource: { group: 'g', resource: 'r', namespace: 'ns', name: path, verb: 'get' } }) }],
  });
  servers.push(server);
  return server;
}

async function get(server: MetricsServer, path: string, token?: string) {
  const response = await request(`${server.url}${path}`, { dispatcher: insecure, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

describe('Given a metrics server with a guard, over HTTPS', () => {
  it('when the guard refuses, then its status and reason are the answer (401 asks for a bearer token), and the health probes stay open', async () => {
    const asked: Access[] = [];
    const server = await serve({
      admit: async (authorization, access) => {
        asked.push(access);
        return authorization === 'Bearer good' ? { allowed: true } : authorization ? { allowed: false, status: 403, reason: 'Forbidden: no' } : { allowed: false, status: 401, reason: 'Unauthorized: send a token' };
      },
    });
    expect(server.url).toMatch(/^https:/);
    const none = await get(server, '/metrics');
    expect([none.status, none.headers['www-authenticate'], none.body]).toEqual([401, 'Bearer', 'Unauthorized: send a token\n']);
    expect((await get(server, '/metrics', 'bad')).status).toBe(403);
    expect((await get(server, '/metrics', 'good')).status).toBe(200);
    expect((await get(server, '/reports/x', 'good')).body).toBe('report');
    expect((await get(server, '/healthz')).status).toBe(200);
    expect(asked).toContainEqual({ nonResourcePath: '/metrics', verb: 'get' });
    expect(asked).toContainEqual({ resource: { group: 'g', resource: 'r', namespace: 'ns', name: '/reports/x', verb: 'get' } });
  });

  it('when the guard cannot answer (the API server unreachable), then the request is refused with 503, never let through', async () => {
    const server = await serve({ admit: () => Promise.reject(new Error('connect ECONNREFUSED')) });
    const answer = await get(server, '/metrics', 'any');
    expect(answer.status).toBe(503);
    expect(answer.body).toContain('cannot check access: connect ECONNREFUSED');
  });

  it('when a certificate directory is given, then its tls.crt is what the server presents; a directory without one is refused naming the flag', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metrics-cert-'));
    const mounted = selfSignedServingCertificate('mounted metrics', ['127.0.0.1']);
    await writeFile(join(dir, 'tls.crt'), mounted.cert);
    await writeFile(join(dir, 'tls.key'), mounted.key);
    const tls = servingTls(dir);
    expect(tls.selfSigned).toBe(false);
    const server = await serve({ admit: async () => ({ allowed: true }) }, dir);
    // Trusting exactly the mounted certificate proves it is the one served.
    const trusting = new Agent({ connect: { ca: mounted.cert } });
    const answer = await request(`${server.url}/metrics`, { dispatcher: trusting });
    expect(answer.statusCode).toBe(200);
    await answer.body.text();
    await trusting.close();
    expect(new X509Certificate(tls.cert).subject).toContain('mounted metrics');
    const refused = refusalOf(() => servingTls(join(dir, 'missing')), InvalidInputError);
    expect(refused.message).toMatch(/^--metrics-cert-dir: cannot read .*missing\/tls\.crt \(ENOENT\)/);
  });
});
