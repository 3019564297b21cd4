// Redis behind a password and TLS, as a managed Redis is: `migrascope run` reaches it with the
// password from the environment (where the chart puts a Secret's) and the server's certificate
// checked against a CA file, runs a short experiment through it, and never shows the password.
// A wrong password, an unknown CA or a URL it cannot read are refused, each with its reason (those
// runs need no pool: Redis is reached first).
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedServingCertificate } from '../../src/certificates/index.ts';
import { freeLoopbackPort } from '../../src/loopback/index.ts';
import { startLocalRedis, type LocalRedis } from '../../src/queue/local-redis.ts';
import { BIN } from '../support/cli.ts';
import { temporaryDirectory } from '../support/processes.ts';
import { testbedPoolDocuments, twoHostTopology } from '../support/run-topology.ts';

const PASSWORD = 'redis-s3cret-in-a-Secret';

const EXPERIMENT = `${testbedPoolDocuments()}---
apiVersion: migrascope.io/v1alpha1
kind: MigrationExperiment
metadata: { name: guarded }
spec:
  poolRef: { name: testbed }
  target: { vm: { nameLabel: web }, applicationUrl: 'http://web.testbed.local/', probeUrl: 'http://web.testbed.local/healthz' }
  workload: { users: 10, drivers: 2, thinkTime: { mean: 500ms }, rampUp: 2s, steadyState: 8s, rampDown: 1s }
  sla: { window: 3s, step: 1s }
  migrations: { offsets: [3s], destination: { policy: mostFreeMemory }, timeout: 1m }
`;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function migrascope(args: string[], env: NodeJS.ProcessEnv, timeout = 120_000): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'info', ...env }, timeout }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('given a Redis that asks for a password and speaks only TLS', () => {
  let dir: string;
  let redis: LocalRedis;
  let url: string;
  let caFile: string;

  beforeAll(async () => {
    dir = await temporaryDirectory('redis-auth-tls');
    const { key, cert } = selfSignedServingCertificate('redis', ['127.0.0.1']);
    caFile = join(dir, 'ca.crt');
    await writeFile(join(dir, 'redis.key'), key);
    await writeFile(caFile, cert);
    await writeFile(join(dir, 'other-ca.crt'), selfSignedServingCertificate('someone else', ['127.0.0.1']).cert);
    await writeFile(join(dir, 'topology.yaml'), twoHostTopology({ pool: 'auth-tls' }));
    await writeFile(join(dir, 'run.yaml'), EXPERIMENT);
    const port = await freeLoopbackPort();
    redis = await startLocalRedis({
      port,
      // No plain port: TLS or nothing.
      args: ['--port', '0', '--tls-port', String(port), '--tls-cert-file', caFile, '--tls-key-file', join(dir, 'redis.key'), '--tls-ca-cert-file', caFile, '--tls-auth-clients', 'no', '--requirepass', PASSWORD],
    });
    url = `rediss://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('when `migrascope run` has the password and the CA from its environment, then the experiment runs through it and the password is never shown', async () => {
    const outcome = await migrascope(
      ['run', join(dir, 'run.yaml'), '--redis', url, '--testbed', '--testbed-config', join(dir, 'topology.yaml'), '--results-dir', join(dir, 'results'), '--json', join(dir, 'status.json'), '--no-progress'],
      { MIGRASCOPE_REDIS_PASSWORD: PASSWORD, MIGRASCOPE_REDIS_CA_FILE: caFile },
    );
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/guarded: Succeeded \(1 run\(s\)\)/);
    const statuses = JSON.parse(await readFile(join(dir, 'status.json'), 'utf8')) as { experiments: { status: { phase: string; summary: { migrations: number } } }[] };
    expect(statuses.experiments[0]?.status).toMatchObject({ phase: 'Succeeded', summary: { migrations: 1 } });
    expect(`${outcome.stdout}${outcome.stderr}`).not.toContain(PASSWORD);
  }, 120_000);

  it('when the password is wrong, then it gives up within MIGRASCOPE_REDIS_TIMEOUT saying so, with the password hidden', async () => {
    const outcome = await migrascope(['run', join(dir, 'run.yaml'), '--redis', `rediss://:wrong-${PASSWORD}@127.0.0.1:${redis.port}`, '--no-progress'], {
      MIGRASCOPE_REDIS_CA_FILE: caFile,
      MIGRASCOPE_REDIS_TIMEOUT: '3s',
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/cannot reach Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+ within 3 s: WRONGPASS/);
    expect(`${outcome.stdout}${outcome.stderr}`).not.toContain(PASSWORD);
  }, 60_000);

  it("when the server's certificate is not signed by the CA given, then it refuses the server", async () => {
    const outcome = await migrascope(['run', join(dir, 'run.yaml'), '--redis', url, '--no-progress'], {
      MIGRASCOPE_REDIS_PASSWORD: PASSWORD,
      MIGRASCOPE_REDIS_CA_FILE: join(dir, 'other-ca.crt'),
      MIGRASCOPE_REDIS_TIMEOUT: '3s',
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+ within 3 s: .*(self-signed|certificate)/i);
  }, 60_000);

  it('when the URL cannot be read, then it exits 2 naming --redis and the forms it reads', async () => {
    const outcome = await migrascope(['run', join(dir, 'run.yaml'), '--redis', `redis+sentinel://:${PASSWORD}@127.0.0.1:26379`, '--no-progress'], {});
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/--redis: a Sentinel URL names the primary the Sentinels monitor/);
    expect(outcome.stderr).not.toContain(PASSWORD);
  }, 60_000);
});
