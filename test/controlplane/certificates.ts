// The control plane's certificates, made fresh for every start like envtest's tiny CA: a CA, the
// apiserver's serving certificate for 127.0.0.1 and localhost signed by it, and the key pair
// that signs and verifies service-account tokens. Keys come from node:crypto (fast, native);
// node-forge only assembles and signs the X.509 certificates, which node:crypto cannot create.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface ControlPlaneCertificates {
  caFile: string;
  servingCertFile: string;
  servingKeyFile: string;
  /** Public key kube-apiserver verifies service-account tokens with. */
  serviceAccountPublicKeyFile: string;
  /** Private key kube-apiserver signs service-account tokens with. */
  serviceAccountSigningKeyFile: string;
}

const validityDays = 7;

export function writeCertificates(dir: string): ControlPlaneCertificates {
  const ca = newKeyPair();
  const caCert = newCertificate({
    subject: 'migrascope-test-ca',
    publicKey: ca.publicKey,
    issuer: undefined,
    signingKey: ca.privateKey,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });

  const serving = newKeyPair();
  const servingCert = newCertificate({
    subject: 'kube-apiserver',
    publicKey: serving.publicKey,
    issuer: caCert,
    signingKey: ca.privateKey,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
          { type: 2, value: 'kubernetes.default.svc' },
        ],
      },
    ],
  });

  const serviceAccount = newKeyPair();
  const files: ControlPlaneCertificates = {
    caFile: join(dir, 'ca.crt'),
    servingCertFile: join(dir, 'apiserver.crt'),
    servingKeyFile: join(dir, 'apiserver.key'),
    serviceAccountPublicKeyFile: join(dir, 'sa.pub'),
    serviceAccountSigningKeyFile: join(dir, 'sa.key'),
  };
  writeFileSync(files.caFile, forge.pki.certificateToPem(caCert));
  writeFileSync(files.servingCertFile, forge.pki.certificateToPem(servingCert));
  writeFileSync(files.servingKeyFile, serving.privateKeyPem, { mode: 0o600 });
  writeFileSync(files.serviceAccountPublicKeyFile, serviceAccount.publicKeyPem);
  writeFileSync(files.serviceAccountSigningKeyFile, serviceAccount.privateKeyPem, { mode: 0o600 });
  return files;
}

interface KeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
  publicKey: forge.pki.rsa.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
}

function newKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return {
    publicKeyPem: publicKey,
    privateKeyPem: privateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey),
    privateKey: forge.pki.privateKeyFromPem(privateKey),
  };
}

interface CertificateRequest {
  subject: string;
  publicKey: forge.pki.rsa.PublicKey;
  /** The signing CA's certificate; undefined for the self-signed CA itself. */
  issuer: forge.pki.Certificate | undefined;
  signingKey: forge.pki.rsa.PrivateKey;
  extensions: object[];
}

function newCertificate(request: CertificateRequest): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = request.publicKey;
  // A positive serial: the leading byte is kept below 0x80 so DER does not read it as negative.
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  const now = new Date();
  // Backdated a little so a clock a second behind does not reject a certificate just made.
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + validityDays * 86_400_000);
  const subject = [{ name: 'commonName', value: request.subject }];
  cert.setSubject(subject);
  cert.setIssuer(request.issuer ? request.issuer.subject.attributes : subject);
  cert.setExtensions(request.extensions);
  cert.sign(request.signingKey, forge.md.sha256.create());
  return cert;
}
