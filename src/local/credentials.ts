// Where a local run finds a pool's credentials, first match wins: a Secret in the run file (as the
// XenPool's credentialsSecretRef names it), then the environment (MIGRASCOPE_XAPI_USERNAME and
// MIGRASCOPE_XAPI_PASSWORD, or MIGRASCOPE_XAPI_PASSWORD_FILE), then --credentials FILE (YAML or
// JSON with username and password). The password never reaches a log.
import { readFileSync } from 'node:fs';
import type { XenPool } from '../api/v1alpha1/index.ts';
import type { PoolResolver } from '../engine/migration-worker.ts';
import { InvalidInputError } from '../invalid/index.ts';
import { parseYamlDocument } from '../invalid/yaml.ts';
import type { XapiCredentials } from '../xen/index.ts';
import type { SecretDocument } from './run-file.ts';

export interface CredentialSources {
  pools: readonly XenPool[];
  secrets: readonly SecretDocument[];
  env?: NodeJS.ProcessEnv;
  credentialsFile?: string | undefined;
}

/** A file an environment variable or a flag names; when it cannot be read, the refusal names the variable. */
function readNamedFile(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError(name, `cannot read "${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * The credentials of every pool the experiments and campaigns name, checked now (before Redis or
 * the testbed start): a missing Secret or an unreadable file is refused at once, not minutes later.
 */
export function checkCredentials(poolNames: Iterable<string>, sources: CredentialSources): void {
  for (const name of new Set(poolNames)) {
    const pool = sources.pools.find((p) => p.metadata.name === name);
    if (!pool) {
      throw new InvalidInputError('spec.poolRef.name', `no XenPool named "${name}" in the run file (add its manifest, e.g. examples/xenpool.yaml)`);
    }
    credentialsFor(pool, sources);
  }
}

export function localPoolResolver(sources: CredentialSources): PoolResolver {
  return async (ref) => {
    const pool = sources.pools.find((p) => p.metadata.name === ref.name && (p.metadata.namespace ?? 'default') === ref.namespace)
      ?? sources.pools.find((p) => p.metadata.name === ref.name);
    if (!pool) {
      throw new InvalidInputError('spec.poolRef.name', `no XenPool named "${ref.name}" in the run file (add its manifest, e.g. examples/xenpool.yaml)`);
    }
    return credentialsFor(pool, sources);
  };
}

export function credentialsFor(pool: XenPool, sources: CredentialSources): XapiCredentials {
  const env = sources.env ?? process.env;
  const spec = pool.spec;
  const namespace = pool.metadata.namespace ?? 'default';
  const secret = (name: string) => sources.secrets.find((s) => s.name === name && s.namespace === namespace) ?? sources.secrets.find((s) => s.name === name);
  const ca = spec.caBundleSecretRef ? secret(spec.caBundleSecretRef.name)?.data[spec.caBundleSecretRef.key ?? 'ca.crt'] : undefined;
  if (spec.caBundleSecretRef && ca === undefined && env.MIGRASCOPE_XAPI_CA_FILE === undefined) {
    throw new InvalidInputError(
      `XenPool ${pool.metadata.name}: spec.caBundleSecretRef`,
      `Secret "${spec.caBundleSecretRef.name}" with key "${spec.caBundleSecretRef.key ?? 'ca.crt'}" is not in the run file (add it, or set MIGRASCOPE_XAPI_CA_FILE)`,
    );
  }
  const common = {
    url: spec.url,
    caBundle: ca ?? (env.MIGRASCOPE_XAPI_CA_FILE ? readNamedFile('MIGRASCOPE_XAPI_CA_FILE', env.MIGRASCOPE_XAPI_CA_FILE) : undefined),
    insecureSkipVerify: spec.insecureSkipVerify,
  };
  const ref = spec.credentialsSecretRef;
  const fromSecret = secret(ref.name);
  if (fromSecret) {
    const username = fromSecret.data[ref.usernameKey];
    const password = fromSecret.data[ref.passwordKey];
    if (username === undefined || password === undefined) {
      throw new InvalidInputError(`Secret ${ref.name}`, `needs the keys "${ref.usernameKey}" and "${ref.passwordKey}" (spec.credentialsSecretRef of XenPool ${pool.metadata.name})`);
    }
    return { ...common, username, password };
  }
  const password = env.MIGRASCOPE_XAPI_PASSWORD ?? (env.MIGRASCOPE_XAPI_PASSWORD_FILE ? readNamedFile('MIGRASCOPE_XAPI_PASSWORD_FILE', env.MIGRASCOPE_XAPI_PASSWORD_FILE).trim() : undefined);
  if (password !== undefined) return { ...common, username: env.MIGRASCOPE_XAPI_USERNAME ?? 'root', password };
  if (sources.credentialsFile) {
    const document = parseYamlDocument(readNamedFile('--credentials', sources.credentialsFile), `--credentials ${sources.credentialsFile}`) as { username?: unknown; password?: unknown } | null;
    if (typeof document?.username !== 'string' || typeof document.password !== 'string') {
      throw new InvalidInputError(`--credentials ${sources.credentialsFile}`, 'expected "username" and "password" strings');
    }
    return { ...common, username: document.username, password: document.password };
  }
  throw new InvalidInputError(
    `XenPool ${pool.metadata.name}: spec.credentialsSecretRef`,
    `Secret "${ref.name}" is not in the run file; add it, set MIGRASCOPE_XAPI_PASSWORD (and MIGRASCOPE_XAPI_USERNAME), or pass --credentials FILE`,
  );
}
