// HTTPS for the simulated pool, as a real XenServer host serves XAPI: a certificate authority of
// the testbed's own and a server certificate it signs for 127.0.0.1 / localhost. The CA goes to
// ca.pem so clients verify the server the proper way (a CA bundle), never by turning checks off.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { rsaKeyPair, signedCertificate as certificate } from '../certificates/index.ts';

export interface TestbedTls {
  /** PEM of the CA certificate clients should trust. */
  ca: string;
  /** The server's PEM key and certificate. */
  key: string;
  cert: string;
}

export function createTestbedTls(commonName = 'migrascope testbed'): TestbedTls {
  const caKeys = rsaKeyPair();
  const caName = [{ name: 'commonName', value: `${commonName} CA` }];
  const ca = certificate(caKeys.publicKey, caName, caName, caKeys.privateKey, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);

  const serverKeys = rsaKeyPair();
  const server = certificate(serverKeys.publicKey, [{ name: 'commonName', value: commonName }], caName, caKeys.privateKey, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  return {
    ca: forge.pki.certificateToPem(ca),
    key: forge.pki.privateKeyToPem(serverKeys.privateKey),
    cert: forge.pki.certificateToPem(server),
  };
}

/** Writes the CA certificate as `<dir>/ca.pem` and returns its path. */
export async function writeCaFile(tls: TestbedTls, dir: string): Promise<string> {
  const file = join(dir, 'ca.pem');
  await writeFile(file, tls.ca, { mode: 0o644 });
  return file;
}
