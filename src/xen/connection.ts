// A logged-in XAPI session through the `xen-api` client, with TLS verified the way the person
// asked: against the system's CAs by default, against a given CA bundle, or (only when asked)
// not at all.
//
// Why the client's HTTP dispatcher is replaced: xen-api 4.7 builds its own undici Agent with
// `connect: { rejectUnauthorized: !allowUnauthorized }` and offers no option for a CA. Node only
// lets a process trust another CA globally (NODE_EXTRA_CA_CERTS, read at start-up, or
// tls.setDefaultCACertificates), which would make one pool's CA trusted for every connection of
// the process, and a long-running controller talks to several pools. So each connection gets its
// own Agent carrying its CA, installed where the client keeps its dispatcher (`_undiciDispatcher`,
// read by its transports when `_setUrl` builds them). Owning the Agent also lets close() shut the
// sockets down instead of leaving them to time out.
import { X509Certificate } from 'node:crypto';
import { Agent } from 'undici';
import { createClient, type Xapi } from 'xen-api';
import './library-log.ts'; // xen-api's DEBUG output to our logger on stderr, never stdout
import { InvalidInputError } from '../invalid/index.ts';
import { logger as processLogger, redactUrlPassword, type Logger } from '../log/index.ts';
import { explainFailure } from './failures.ts';

export interface XapiCredentials {
  /** https://host[:port] (or http:// for a plain-HTTP endpoint such as the testbed's). */
  url: string;
  username: string;
  password: string;
  /** PEM text of the CA certificate(s) that signed the pool's certificate; only they are trusted. */
  caBundle?: string | undefined;
  /** Skip certificate verification; never the default. */
  insecureSkipVerify?: boolean | undefined;
}

export interface ConnectionTuning {
  /** A call that gets no answer for this long fails (and is retried when that is safe). */
  callTimeoutMs?: number;
  /** Where the warning of an unverified connection goes (default: the process's logger). */
  log?: Logger;
}

/** Said at every connection made without verifying the pool's certificate. */
export const UNVERIFIED_TLS_WARNING =
  "XAPI's TLS certificate is NOT verified (insecureSkipVerify): whoever sits on the network path can pose as the pool and read its password; give the pool's CA bundle instead";

export interface XapiConnection {
  readonly client: Xapi;
  readonly url: string;
  readonly username: string;
  close(): Promise<void>;
}

const DEFAULT_CALL_TIMEOUT_MS = 60_000;

export async function openConnection(
  credentials: XapiCredentials,
  tuning: ConnectionTuning = {},
): Promise<XapiConnection> {
  const url = checkUrl(credentials.url);
  const timeout = tuning.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  if (credentials.caBundle !== undefined && credentials.insecureSkipVerify === true) {
    throw new InvalidInputError('caBundle', 'give a CA bundle or skip verification, not both');
  }
  const dispatcher = new Agent({
    connect: {
      rejectUnauthorized: credentials.insecureSkipVerify !== true,
      ...(credentials.caBundle === undefined ? {} : { ca: checkCaBundle(credentials.caBundle) }),
    },
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const client = createClient({
    url,
    auth: { user: credentials.username, password: credentials.password },
    allowUnauthorized: credentials.insecureSkipVerify === true,
    // This adapter reads records and follows tasks itself, so that it controls what happens when
    // the connection drops; the client's event loop would otherwise retry on its own schedule.
    watchEvents: false,
    callTimeout: timeout,
  });
  useDispatcher(client, dispatcher);
  if (credentials.insecureSkipVerify === true && url.startsWith('https:')) (tuning.log ?? processLogger()).warn({ url, username: credentials.username }, UNVERIFIED_TLS_WARNING);
  try {
    await client.connect();
  } catch (error) {
    // Closed, not destroyed: a request the client still has in flight (it may have started one
    // before the failure surfaced) would get "the client is destroyed" with no one to catch it.
    await closeWithin(dispatcher, 2_000);
    throw explainFailure(error, { url, username: credentials.username });
  }
  return {
    client,
    url,
    username: credentials.username,
    close: async () => {
      // disconnect() sends session.logout without waiting for it; closing the Agent waits for
      // requests in flight, so the session is released before the sockets go.
      await client.disconnect();
      await closeWithin(dispatcher, 2_000);
    },
  };
}

function checkUrl(url: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `https://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new InvalidInputError('url', `"${redactUrlPassword(url)}" is not a URL (expected https://HOST[:PORT])`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidInputError('url', `use https:// (or http://), not ${parsed.protocol}//`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new InvalidInputError('url', 'give the username and password separately, not inside the URL');
  }
  // XAPI answers at the root; "https://host/" and "https://host" are the same pool, said one way.
  return parsed.pathname === '/' && parsed.search === '' ? parsed.origin : withScheme;
}

function checkCaBundle(pem: string): string {
  const certificates = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (certificates.length === 0) {
    throw new InvalidInputError('caBundle', 'is not a PEM certificate bundle (no "-----BEGIN CERTIFICATE-----" block)');
  }
  // Node's TLS silently skips a block it cannot parse, which would show up later as an
  // untrusted certificate; say it now, naming the block.
  certificates.forEach((certificate, index) => {
    try {
      new X509Certificate(certificate);
    } catch (error) {
      throw new InvalidInputError('caBundle', `certificate ${index + 1} cannot be read: ${(error as Error).message}`);
    }
  });
  return pem;
}

interface ClientInternals {
  _undiciDispatcher?: unknown;
  _url?: unknown;
  _setUrl?: (url: unknown) => void;
}

function useDispatcher(client: Xapi, dispatcher: Agent): void {
  const internals = client as unknown as ClientInternals;
  if (internals._undiciDispatcher === undefined || internals._url === undefined || typeof internals._setUrl !== 'function') {
    throw new Error(
      'this version of the xen-api package no longer keeps its HTTP dispatcher where migrascope expects it ' +
        '(_undiciDispatcher/_setUrl); the CA-bundle support in src/xen/connection.ts must be updated',
    );
  }
  internals._undiciDispatcher = dispatcher;
  internals._setUrl(internals._url);
}

async function closeWithin(dispatcher: Agent, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const outcome = await Promise.race([dispatcher.close().then(() => 'closed' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') await dispatcher.destroy();
}
