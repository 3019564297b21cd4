// The certificate the secure metrics endpoint serves: the one mounted in `certDir` (tls.crt and
// tls.key, the layout of a kubernetes.io/tls Secret as cert-manager writes it), or else a
// self-signed one made at start, as controller-runtime's secure metrics do. A self-signed
// certificate still keeps the bearer token off the wire in clear; a scraper then skips verification
// (tlsConfig.insecureSkipVerify) or is given the mounted certificate's CA.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { selfSignedServingCertificate } from '../certificates/index.ts';
import { InvalidInputError } from '../invalid/index.ts';

export function servingTls(certDir: string | undefined, field = '--metrics-cert-dir'): { key: string; cert: string; selfSigned: boolean } {
  if (certDir === undefined || certDir === '') return { ...selfSignedServingCertificate('migrascope metrics', [hostname(), 'localhost', '127.0.0.1', '::1']), selfSigned: true };
  const read = (file: string): string => {
    try {
      return readFileSync(join(certDir, file), 'utf8');
    } catch (error) {
      throw new InvalidInputError(field, `cannot read ${join(certDir, file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): mount a kubernetes.io/tls Secret there (tls.crt, tls.key), or leave it unset for a self-signed certificate`);
    }
  };
  return { cert: read('tls.crt'), key: read('tls.key'), selfSigned: false };
}
