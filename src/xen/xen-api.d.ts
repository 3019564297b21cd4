// Types for the parts of the `xen-api` npm client (4.7.x, plain JavaScript) this adapter uses,
// written from its index.mjs. Only what we call is declared, so a change there shows up here.
declare module 'xen-api' {
  import type { EventEmitter } from 'node:events';

  export interface XapiOptions {
    /** https://host[:port]; a URL without a scheme means https. */
    url: string;
    auth?: { user: string; password?: string; sessionId?: string };
    /** Accept any server certificate (undici `rejectUnauthorized: false`). */
    allowUnauthorized?: boolean;
    /** false: no event loop and no object cache (then watchTask/callAsync are unavailable). */
    watchEvents?: boolean | string[];
    /** Milliseconds after which a call is abandoned (default one hour), or per method. */
    callTimeout?: number | Record<string, number>;
    /** Milliseconds without a byte after which an HTTP request fails (default five minutes). */
    httpInactivityTimeout?: number;
    transport?: 'auto' | 'json-rpc' | 'xml-rpc';
    readOnly?: boolean;
  }

  export type XapiStatus = 'connected' | 'connecting' | 'disconnected';

  export class Xapi extends EventEmitter {
    constructor(options: XapiOptions);
    readonly status: XapiStatus;
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    /** Calls `method` with the session prepended; `X.get_*` calls are retried on ECONNRESET. */
    call(method: string, ...args: unknown[]): Promise<unknown>;
  }

  export function createClient(options: XapiOptions): Xapi;
}
