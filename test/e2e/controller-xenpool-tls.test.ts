// TLS to XAPI verified by default, seen from the cluster: a pool serving XAPI over HTTPS with a
// certificate of its own CA (the testbed's, as a XenServer host's is self-signed), reconciled by
// the controller on a real kube-apiserver. Without a CA bundle the XenPool is not connected and its
// status and a Warning Event name the fix; with the CA in a Secret it connects; with
// spec.insecureSkipVerify it connects too, and says loudly that the certificate was not verified
// (in the Ready message, a Warning Event TLSNotVerified and a warning in the controller's log).
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_VERSION } from '../../src/api/v1alpha1/index.ts';
import { KubeClient } from '../../src/controller/runtime/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { parseTopology, startTestbed, type Testbed } from '../../src/testbed/index.ts';
import { UNVERIFIED_TLS_WARNING } from '../../src/xen/connection.ts';
import { at, condition, startClusterHarness, type ClusterHarness } from './controller-cluster.ts';

vi.setConfig({ testTimeout: 120_000 });

let harness: ClusterHarness;
let tlsPool: Testbed;
const controllerLog: string[] = [];

beforeAll(async () => {
  harness = await startClusterHarness();
  tlsPool = await startTestbed(parseTopology({ pool: 'tls-pool', tls: true, hosts: [{ name: 'secure-a', memory: '4GiB', linkBandwidth: '1GB/s' }] }));
  expect(tlsPool.xapi.url).toMatch(/^https:/);
  const client = KubeClient.for(harness.admin);
  await client.request('POST', `/api/v1/namespaces/${harness.namespace}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'tls-credentials' },
    stringData: { username: tlsPool.xapi.username, password: tlsPool.xapi.password, 'ca.crt': await readFile(tlsPool.xapi.caFile ?? '', 'utf8') },
  });
  const pool = (name: string, spec: Record<string, unknown>) =>
    harness.create('XenPool', { apiVersion: API_VERSION, metadata: { name }, spec: { url: tlsPool.xapi.url, credentialsSecretRef: { name: 'tls-credentials' }, ...spec } });
  await pool('verified-by-default', {});
  await pool('with-ca', { caBundleSecretRef: { name: 'tls-credentials' } });
  await pool('insecure', { insecureSkipVerify: true });
  const log = createLogger({ level: 'info', pretty: false, destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (controllerLog.push(chunk.toString()), done()) }) });
  await harness.startController({ log });
});
afterAll(async () => {
  await tlsPool?.close();
  await harness?.close();
});

async function judged(name: string) {
  return harness.eventually(`XenPool ${name} judged`, async () => {
    const read = await harness.get('XenPool', name);
    return at(read, 'status', 'connected') === undefined ? undefined : read;
  }, 60_000);
}

describe('Given a pool serving XAPI over HTTPS with a certificate of its own CA', () => {
  it('when its XenPool gives no CA, then it is refused by default: not connected, the status and a Warning Event naming the fix', async () => {
    const read = await judged('verified-by-default');
    expect(at(read, 'status', 'connected')).toBe(false);
    expect(String(at(read, 'status', 'lastError'))).toMatch(/cannot verify the TLS certificate of https:\/\/127\.0\.0\.1:\d+: .*give the pool's CA bundle/);
    const events = await harness.eventually('its Warning', async () => ((await harness.events('verified-by-default')).some((e) => e.startsWith('Warning')) ? harness.events('verified-by-default') : undefined));
    expect(events.join('\n')).toContain('cannot verify the TLS certificate');
  });

  it('when its XenPool gives the CA in a Secret, then it connects, verified, with no word of an unverified certificate', async () => {
    const read = await judged('with-ca');
    expect(at(read, 'status', 'connected')).toBe(true);
    expect(condition(read, 'Ready')?.message).not.toContain('NOT verified');
  });

  it('when its XenPool says insecureSkipVerify, then it connects and says so loudly: the Ready message, a Warning Event TLSNotVerified, a warning in the log', async () => {
    const read = await judged('insecure');
    expect(at(read, 'status', 'connected')).toBe(true);
    expect(condition(read, 'Ready')?.message).toContain("the pool's TLS certificate is NOT verified (spec.insecureSkipVerify)");
    const events = await harness.eventually('the TLSNotVerified Event', async () => {
      const all = await harness.events('insecure');
      return all.some((event) => event.startsWith('Warning TLSNotVerified')) ? all : undefined;
    });
    expect(events.join('\n')).toContain('set caBundleSecretRef instead');
    const warnings = controllerLog.map((line) => JSON.parse(line) as { level: number; msg: string; url?: string }).filter((entry) => entry.level === 40 && entry.msg === UNVERIFIED_TLS_WARNING);
    expect(warnings.map((entry) => entry.url)).toContain(new URL(tlsPool.xapi.url).origin);
  });
});
