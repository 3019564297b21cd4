// HTTPS for the simulated pool, as a real XenServer host serves XAPI: a certificate authority of
// the testbed's own and a server certificate it signs for 127.0.0.1 / localhost. The CA goes to
// ca.pem so clients verify the server the proper way (a CA bundle), never by turning checks off.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';

export interface TestbedTls {
  /** PEM of the CA certificate clients should trust. */
  ca: string;
  /** The server's PEM key and certificate. */
  key: string;
  cert: string;
}

const DAY_MS = 24 * 3600 * 1000;

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

/** Node's native RSA generation (fast), handed to forge, which builds the certificates. */
function rsaKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
  };
}

function certificate(
  publicKey: forge.pki.PublicKey,
  subject: forge.pki.CertificateField[],
  issuer: forge.pki.CertificateField[],
  signingKey: forge.pki.rsa.PrivateKey,
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: the top bit clear, as DER integers are signed.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + 365 * DAY_MS);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  cert.setExtensions(extensions);
  cert.sign(signingKey, forge.md.sha256.create());
  return cert;
}
