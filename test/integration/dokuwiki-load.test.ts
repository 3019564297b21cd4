// A real application nobody here wrote: DokuWiki (the Debian package, under php-fpm behind nginx)
// driven by the shipped WorkloadProfile through `migrascope load` as a person runs it. Every
// action is performed, judged and error-free; --trace shows the requests behind each action; a
// profile that captures the wrong token makes DokuWiki refuse the saves, and the run says so.
// Then the wiki is put behind a testbed VM and live-migrated mid-run: users see the stall, and
// nothing fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadReport } from '../../src/cli/load.ts';
import { completionGapFromLog } from '../../src/sla/index.ts';
import type { MigrationRecord } from '../../src/xen/index.ts';
import { BIN, migrascope, type CliRun } from '../support/cli.ts';
import { startDokuWiki, type DokuWiki } from '../support/dokuwiki.ts';

const PROFILE = fileURLToPath(new URL('../../examples/dokuwiki/workloadprofile.yaml', import.meta.url));
const ACTIONS = ['ViewPage', 'Search', 'Login', 'EditPage', 'Logout'];
const PAGES = 20;

let wiki: DokuWiki;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'migrascope-dokuwiki-load-'));
  wiki = await startDokuWiki({ pages: PAGES });
});

afterAll(async () => {
  await wiki?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** `migrascope load` with the profile against `url`: a few users with short think times. */
function load(url: string, profile: string, extra: string[]): Promise<CliRun> {
  // The profile's 5 s cycle time would need minutes to show every action a few times.
  return migrascope('load', '--url', url, '--profile', profile, '--param', `pages=${PAGES}`, '--users', '4', '--think', '500ms', '--json', '--no-progress', ...extra);
}

function report(run: CliRun): LoadReport {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as LoadReport;
}

const explain = (result: LoadReport): string => JSON.stringify(result.failureSamples);

describe('Given a private DokuWiki and its WorkloadProfile', () => {
  let run: CliRun;
  let result: LoadReport;

  beforeAll(async () => {
    run = await load(wiki.url, PROFILE, ['--ramp-up', '2s', '--steady', '20s', '--default-threshold', '5s', '--trace']);
    result = report(run);
  });

  it('When 4 users run 20 s of steady state, Then every action is performed and none fails', async () => {
    expect(result.profile).toBe('dokuwiki');
    expect(Object.keys(result.actions).sort(), explain(result)).toEqual([...ACTIONS].sort());
    for (const action of ACTIONS) {
      expect(result.actions[action]?.count, action).toBeGreaterThan(0);
      expect(result.actions[action]?.errors, `${action}: ${explain(result)}\n${await wiki.logs()}`).toBe(0);
    }
  });

  it('Then every action, and only the profile\'s, is judged against the default threshold', () => {
    expect(Object.keys(result.sla.actions).sort()).toEqual([...ACTIONS].sort());
    for (const action of ACTIONS) {
      expect(result.sla.actions[action]?.thresholdMs).toBe(5000);
      expect(result.sla.actions[action]?.windowsWithSamples, action).toBeGreaterThan(0);
    }
    expect(result.unjudgedActions).toEqual([]);
  });

  it('Then the trace shows the requests behind each action, with their statuses', () => {
    const traced = (pattern: RegExp): boolean => run.stderr.split('\n').some((line) => pattern.test(line));
    expect(traced(/^trace ViewPage GET \/doku\.php\?id=load:page\d+ 200 \d+\.\d ms$/)).toBe(true);
    // A static path as a browser reads it from the page: &amp; is &.
    expect(traced(/^trace \w+ GET \/lib\/exe\/css\.php\?t=dokuwiki&tseed=\w+ 200 /)).toBe(true);
    expect(traced(/^trace \w+ GET \/lib\/exe\/taskrunner\.php\?id=\S+ 200 /)).toBe(true);
    expect(traced(/^trace Search GET \/doku\.php\?id=start&do=search&q=\w+ 200 /)).toBe(true);
    expect(traced(/^trace Login POST \/doku\.php\?id=start 302 /)).toBe(true);
    expect(traced(/^trace EditPage GET \/doku\.php\?id=sandbox:user\d+&do=edit 200 /)).toBe(true);
    expect(traced(/^trace EditPage POST \/doku\.php\?id=sandbox:user\d+&do=edit 302 /)).toBe(true);
    expect(traced(/^trace Logout GET \/doku\.php\?id=start&do=logout&sectok=[0-9a-f]{32} 302 /)).toBe(true);
    expect(traced(/ FAILED /)).toBe(false);
  });
});

describe('Given the profile with the edit form\'s security token captured from the wrong field', () => {
  it('When it runs, Then DokuWiki refuses the saves and the run counts them as failed edits, saying why', async () => {
    const broken = join(dir, 'broken-sectok.yaml');
    const text = readFileSync(PROFILE, 'utf8');
    const sectokCapture = `{var: sectok, regex: 'id="dw__editform"[\\s\\S]*?name="sectok" value="([0-9a-f]{32})"', onMissing: fail}`;
    expect(text).toContain(sectokCapture);
    await writeFile(broken, text.replace(sectokCapture, `{var: sectok, regex: 'name="changecheck" value="([0-9a-f]{32})"', onMissing: fail}`));
    const run = await load(wiki.url, broken, ['--steady', '10s', '--trace']);
    const result = report(run);
    const edits = result.actions.EditPage;
    expect(edits?.count).toBeGreaterThan(0);
    expect(edits?.errors).toBe(edits?.count);
    expect(Object.keys(edits?.errorsByKind ?? {})).toEqual(['status']);
    expect(result.failureSamples.EditPage?.[0]).toMatch(/POST \/doku\.php\?id=sandbox:user\d+&do=edit answered 200 \(expected 302\)/);
    for (const summary of Object.values(result.actions)) {
      for (const kind of Object.keys(summary.errorsByKind)) expect(['body', 'status']).toContain(kind);
    }
    expect(run.stderr).toMatch(/^trace EditPage POST \/doku\.php\?id=sandbox:user\d+&do=edit 200 \d+\.\d ms FAILED status: /m);
  });
});

describe('Given the wiki behind a testbed VM whose migration pauses it for about a second', () => {
  const children = new Set<ChildProcess>();
  let ready: { xapi: { url: string; username: string; password: string }; vms: { name: string; url: string | null }[] };

  beforeAll(async () => {
    const config = join(dir, 'topology.yaml');
    // The guest dirties memory faster than the link sends it: pre-copy cannot converge, so the
    // last 128 MiB are sent while paused (about 1.1 s at 1 Gbit/s), in a migration of about 8 s.
    await writeFile(
      config,
      `pool: dokuwiki-test
credentials: {username: root, password: wiki-pool-secret}
hosts:
  - {name: a, memory: 1GiB, linkBandwidth: 1Gbit/s, controlDomainMemory: 128MiB}
  - {name: b, memory: 1GiB, linkBandwidth: 1Gbit/s, controlDomainMemory: 128MiB}
vms:
  - {name: web, memory: 256MiB, host: a, dirtyRate: 200MB/s, wws: 128MiB, guest: {url: '${wiki.url}'}}
`,
    );
    await writeFile(join(dir, 'password'), 'wiki-pool-secret\n');
    const child = spawn(BIN, ['testbed', '--config', config, '--json', '--http'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'warn' } });
    children.add(child);
    ready = JSON.parse(await firstLine(child)) as typeof ready;
  });

  afterAll(async () => {
    for (const child of children) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('When users load it through the guest and the VM live-migrates mid-run, Then they see the stall and nothing fails', async () => {
    const guest = ready.vms.find((vm) => vm.name === 'web')?.url;
    expect(guest).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const log = join(dir, 'requests.jsonl');
    const loading = load(guest as string, PROFILE, ['--ramp-up', '2s', '--steady', '24s', '--probe', '/lib/tpl/dokuwiki/images/logo.png', '--log', log]);
    await new Promise((resolve) => setTimeout(resolve, 7000));
    const migrated = await migrascope('migrate', '--url', ready.xapi.url, '--username', 'root', '--password-file', join(dir, 'password'), '--vm', 'web', '--to', 'b', '--json');
    expect(migrated.code, migrated.stderr).toBe(0);
    const migration = JSON.parse(migrated.stdout) as MigrationRecord;
    expect(migration.ok).toBe(true);
    const result = report(await loading);

    for (const action of ACTIONS) expect(result.actions[action]?.count, action).toBeGreaterThan(0);
    const errors = Object.values(result.actions).reduce((sum, summary) => sum + summary.errors, 0);
    // The guest freezes both directions during stop-and-copy and drops nothing: no failure at all.
    expect(errors, explain(result)).toBe(0);
    // The probe saw the pause, inside the migration.
    const gap = result.probe?.longestGap;
    expect(gap?.durationMs).toBeGreaterThan(800);
    expect(gap?.fromMs).toBeGreaterThanOrEqual(Date.parse(migration.start));
    expect(gap?.toMs).toBeLessThanOrEqual(Date.parse(migration.end) + 2000);
    // And the users got no answer through it: the longest stretch without a completed action.
    const unanswered = await completionGapFromLog(log, { from: Date.parse(migration.start), to: Date.parse(migration.end) + 2000 }, () => undefined);
    expect(unanswered.ms).toBeGreaterThan(800);
    expect(unanswered.bounded).toBe(true);
  });
});

/** The first line a process writes on stdout (the testbed's JSON once it is ready). */
function firstLine(child: ChildProcess): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0] ?? '');
    });
    child.once('exit', (code) => reject(new Error(`the testbed exited (${code}) before it was ready:\n${stderr}`)));
  });
}
