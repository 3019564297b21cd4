// The corpus's XAPI requests against the testbed's XAPI server: in this process (every case, and
// bodies over the size bound), and against `migrascope testbed` as a program. Each bad request
// gets a proper error (HTTP 500 with XAPI's parse-error page, 413, or a XAPI failure code) naming
// what is wrong, never a stack trace, never a hang, and the server answers the next call.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestbed, type Testbed } from '../../src/testbed/index.ts';
import { MAX_BODY_BYTES } from '../../src/testbed/xapi/server.ts';
import { BIN } from '../support/cli.ts';
import { temporaryDirectory } from '../support/processes.ts';
import { PASSWORD, smallTopology } from '../integration/testbed-topology.ts';
import { corpusCases, STACK_TRACE, type CorpusCase } from './corpus.ts';

const BOUND_MS = 5_000;

interface Endpoint {
  url: string;
  username: string;
  password: string;
}

/** Sends a corpus file as it is: JSON to /jsonrpc, XML to / (what XAPI's routing does with them). */
async function send(endpoint: Endpoint, corpusCase: CorpusCase): Promise<{ status: number; text: string; ms: number }> {
  const json = corpusCase.name.endsWith('.json');
  const started = performance.now();
  const response = await fetch(new URL(json ? '/jsonrpc' : '/', endpoint.url), {
    method: 'POST',
    headers: { 'content-type': json ? 'application/json' : 'text/xml' },
    body: readFileSync(corpusCase.path),
    signal: AbortSignal.timeout(BOUND_MS),
  });
  // XAPI's error page escapes the detail as HTML: read it as the words a person sees.
  const text = (await response.text()).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return { status: response.status, text, ms: performance.now() - started };
}

/** A good call after a bad one: the server still serves. */
async function login(endpoint: Endpoint): Promise<unknown> {
  const response = await fetch(new URL('/jsonrpc', endpoint.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'session.login_with_password', params: [endpoint.username, endpoint.password] }),
    signal: AbortSignal.timeout(BOUND_MS),
  });
  return ((await response.json()) as { result?: unknown }).result;
}

function expectProperRefusal(corpusCase: CorpusCase, reply: { status: number; text: string; ms: number }): void {
  expect([200, 500]).toContain(reply.status);
  for (const words of corpusCase.expect) expect(reply.text).toContain(words);
  expect(reply.text).not.toMatch(STACK_TRACE);
  // An external entity is never fetched: no line of the host's passwd file comes back.
  expect(reply.text).not.toMatch(/root:.*:0:0:/);
  expect(reply.ms).toBeLessThan(BOUND_MS);
}

const cases = corpusCases('xapi-requests');

describe('Given the testbed XAPI server in this process', () => {
  let testbed: Testbed;
  let endpoint: Endpoint;

  beforeAll(async () => {
    testbed = await startTestbed(smallTopology());
    endpoint = { url: testbed.xapi.url, username: 'root', password: PASSWORD };
  });
  afterAll(() => testbed?.close());

  it.each(cases.map((c) => [c.name, c] as const))('When it gets %s, Then it answers a proper error and serves the next call', async (_, corpusCase) => {
    expectProperRefusal(corpusCase, await send(endpoint, corpusCase));
    expect(await login(endpoint)).toMatch(/^OpaqueRef:/);
  });

  it('When a body over the bound declares its length, Then it gets 413 before it is read, and the server serves the next call', async () => {
    const response = await fetch(new URL('/jsonrpc', endpoint.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20),
      signal: AbortSignal.timeout(BOUND_MS * 2),
    });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain(`over the ${MAX_BODY_BYTES}`);
    expect(await login(endpoint)).toMatch(/^OpaqueRef:/);
  });

  it('When a body over the bound comes chunked, without a length, Then it gets 413 too', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_BODY_BYTES) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const status = await fetch(new URL('/', endpoint.url), { method: 'POST', headers: { 'content-type': 'text/xml' }, body, duplex: 'half', signal: AbortSignal.timeout(BOUND_MS * 2) } as RequestInit).then(
      (response) => response.status,
      // The server may close the connection while the client is still sending: a refusal too.
      () => 413,
    );
    expect(status).toBe(413);
    expect(await login(endpoint)).toMatch(/^OpaqueRef:/);
  });
});

describe('Given `migrascope testbed` as a program', () => {
  let child: ChildProcess;
  let endpoint: Endpoint;
  let stderr = '';

  beforeAll(async () => {
    const dir = await temporaryDirectory('corpus-testbed');
    const config = join(dir, 'topology.yaml');
    await writeFile(
      config,
      'pool: corpus\ncredentials: { username: root, password: corpus-secret }\nhosts:\n  - { name: a, memory: 1GiB, linkBandwidth: 1Gbit/s, controlDomainMemory: 128MiB }\nvms:\n  - { name: db, memory: 64MiB, host: a }\n',
    );
    child = spawn(BIN, ['testbed', '--config', config, '--json', '--http'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const firstLine = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`the testbed exited (${code}) before it was ready:\n${stderr}`)));
    });
    endpoint = (JSON.parse(firstLine) as { xapi: Endpoint }).xapi;
  }, 60_000);
  afterAll(() => void child?.kill('SIGTERM'));

  it('When it gets every bad request of the corpus in turn, Then each gets a proper error and the program keeps serving', async () => {
    for (const corpusCase of cases) {
      const reply = await send(endpoint, corpusCase);
      expectProperRefusal(corpusCase, reply);
      expect(await login(endpoint), corpusCase.name).toMatch(/^OpaqueRef:/);
    }
    expect(child.exitCode).toBeNull();
    expect(stderr).not.toMatch(STACK_TRACE);
  });
});
