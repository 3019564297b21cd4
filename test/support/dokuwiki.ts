// A private DokuWiki for tests: the Debian package's code (/usr/share/dokuwiki) served by php-fpm
// behind nginx on a free 127.0.0.1 port, with its own copy of the package's configuration
// (/etc/dokuwiki) and data (/var/lib/dokuwiki/data) in a temporary directory, so that nothing
// installed is changed and tests never see each other's edits. It has one known user allowed to
// edit, `pages` seeded pages (load:page1..N) and a full-text index built before it serves, so
// page views and searches answer with content from the first request.
//
// The package reads its configuration from the constants DOKU_CONF and DOKU_MAIN_CONF, which its
// inc/preload.php sets only when they are not defined yet: a php-fpm pool of our own defines them
// first (auto_prepend_file) to point at the copy.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, temporaryDirectory, waitFor } from './processes.ts';

const CODE = '/usr/share/dokuwiki';
const PACKAGE_CONF = '/etc/dokuwiki';
const PACKAGE_DATA = '/var/lib/dokuwiki/data';
/** The words every seeded page holds, so that a search for any of them finds pages. */
export const SEARCH_WORDS = ['migration', 'latency', 'downtime', 'memory', 'network'] as const;

export interface DokuWikiOptions {
  /** Seeded pages load:page1..N (the profile's `pages` parameter must match). Default 50. */
  pages?: number;
  /** php-fpm workers: PHP requests served at once. Default 4 (enough for a few users on 2 cores). */
  workers?: number;
  /** How long starting may take before it fails with the servers' logs. Default 60 s. */
  startTimeoutMs?: number;
}

export interface DokuWiki {
  /** http://127.0.0.1:PORT, the wiki at its root (doku.php). */
  url: string;
  username: string;
  password: string;
  pages: number;
  /** The servers' logs, to explain a failure. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

/** The shipped profile's actions (examples/dokuwiki/workloadprofile.yaml), in its order. */
export const DOKUWIKI_ACTIONS = ['ViewPage', 'Search', 'Login', 'EditPage', 'Logout'];
/** Each action's threshold in seconds as examples/dokuwiki/experiment.yaml gives them: ViewPage 1s, Search 2s, EditPage 3s, the 2s default for the rest. */
export const EXAMPLE_THRESHOLD_SECONDS: readonly (readonly [string, number])[] = [
  ['ViewPage', 1],
  ['Search', 2],
  ['Login', 2],
  ['EditPage', 3],
  ['Logout', 2],
];

export const DOKUWIKI_USER = 'loadadmin';
export const DOKUWIKI_PASSWORD = 'migrascope-wiki';

/** Whether the Debian packages are there (scripts/deps.sh installs them); the reason when not. */
export function dokuWikiMissing(): string | undefined {
  if (!existsSync(join(CODE, 'doku.php'))) return 'DokuWiki is not installed (Debian package dokuwiki; run scripts/deps.sh)';
  if (phpFpmBinary() === undefined) return 'php-fpm is not installed (Debian package php-fpm; run scripts/deps.sh)';
  if (!existsSync('/usr/sbin/nginx')) return 'nginx is not installed (Debian package nginx-light; run scripts/deps.sh)';
  return undefined;
}

export async function startDokuWiki(options: DokuWikiOptions = {}): Promise<DokuWiki> {
  const missing = dokuWikiMissing();
  if (missing !== undefined) throw new Error(missing);
  const pages = options.pages ?? 50;
  const dir = await temporaryDirectory('dokuwiki');
  const servers: ChildProcess[] = [];
  const logs = async (): Promise<string> => {
    const parts = await Promise.all(['php-fpm.log', 'php-errors.log', 'nginx-error.log'].map(async (name) => `--- ${name}\n${await readFile(join(dir, name), 'utf8').catch(() => '(none)')}`));
    return parts.join('\n');
  };
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => stopGroup(server)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await prepareWiki(dir, pages);
    const port = await freePort();
    await writeFile(join(dir, 'php-fpm.conf'), phpFpmConfig(dir, options.workers ?? 4));
    await writeFile(join(dir, 'nginx.conf'), nginxConfig(dir, port));
    // As root, php-fpm refuses to run its pool as root without -R, and nginx would switch its
    // worker to "nobody", which may not open the socket: both stay the current user.
    servers.push(startGroup(phpFpmBinary() as string, ['--fpm-config', join(dir, 'php-fpm.conf'), '--nodaemonize', ...(isRoot() ? ['--allow-to-run-as-root'] : [])]));
    servers.push(startGroup('/usr/sbin/nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir, '-e', join(dir, 'nginx-error.log')]));
    const url = `http://127.0.0.1:${port}`;
    // Up means PHP answers a seeded page through nginx, not merely that a port is open.
    await waitFor(
      `DokuWiki at ${url}`,
      async () => {
        for (const server of servers) if (server.exitCode !== null || server.signalCode !== null) throw new Error(`${server.spawnfile} exited`);
        const response = await fetch(`${url}/doku.php?id=load:page1`, { signal: AbortSignal.timeout(5000) });
        return response.status === 200 && (await response.text()).includes('id="page_1"');
      },
      options.startTimeoutMs ?? 60_000,
    ).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}\n${await logs()}`);
    });
    return { url, username: DOKUWIKI_USER, password: DOKUWIKI_PASSWORD, pages, logs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A testbed pool (parseTopology's input, or YAML for --testbed-config) whose web VM fronts the
 * wiki. The guest dirties memory faster than the link sends it, so pre-copy cannot converge and
 * the last 128 MiB go while paused: about 1.1 s of downtime in a migration of about 8 s.
 */
export function dokuWikiTopology(wiki: Pick<DokuWiki, 'url'>): Record<string, unknown> {
  return {
    pool: 'dokuwiki',
    credentials: { username: 'root' },
    // Plain HTTP: the operator's XenPool then needs no CA bundle.
    tls: false,
    hosts: [
      { name: 'a', memory: '1GiB', linkBandwidth: '1Gbit/s', controlDomainMemory: '128MiB' },
      { name: 'b', memory: '1GiB', linkBandwidth: '1Gbit/s', controlDomainMemory: '128MiB' },
    ],
    vms: [{ name: 'web', memory: '256MiB', host: 'a', dirtyRate: '200MB/s', wws: '128MiB', guest: { url: wiki.url } }],
  };
}

/** The package's configuration and data, copied; our settings, user, ACL and pages; the index. */
async function prepareWiki(dir: string, pages: number): Promise<void> {
  const conf = join(dir, 'conf');
  const data = join(dir, 'data');
  // The package links acl.auth.php and users.auth.php to /var/lib/dokuwiki/acl: copy the files.
  await cp(PACKAGE_CONF, conf, { recursive: true, dereference: true });
  await cp(PACKAGE_DATA, data, { recursive: true });
  await mkdir(join(dir, 'sessions'));
  await writeFile(
    join(conf, 'local.php'),
    `<?php
$conf['title'] = 'Migrascope test wiki';
$conf['savedir'] = '${data}';
$conf['useacl'] = 1;
$conf['superuser'] = '@admin';
$conf['dnslookups'] = 0;
$conf['updatecheck'] = 0;
`,
  );
  // DokuWiki's plain auth: user:hash:name:mail:groups. {SSHA} is one of the hashes it verifies
  // (PassHash::hash_ssha: base64 of sha1(password . salt) . salt, with a 4-character salt).
  const salt = randomBytes(3).toString('base64');
  const hash = `{SSHA}${Buffer.concat([createHash('sha1').update(DOKUWIKI_PASSWORD + salt).digest(), Buffer.from(salt)]).toString('base64')}`;
  await writeFile(join(conf, 'users.auth.php'), `# users of the Migrascope test wiki\n${DOKUWIKI_USER}:${hash}:Load Admin:load@localhost:admin,user\n`);
  // Everyone reads; logged-in users edit and upload (the package's own defaults, made explicit).
  await writeFile(join(conf, 'acl.auth.php'), '# acl of the Migrascope test wiki\n*\t@ALL\t1\n*\t@user\t8\n');
  await writeFile(join(dir, 'prepend.php'), `<?php\ndefine('DOKU_CONF', '${conf}/');\ndefine('DOKU_MAIN_CONF', '${conf}/');\n`);
  await mkdir(join(data, 'pages', 'load'), { recursive: true });
  for (let page = 1; page <= pages; page++) await writeFile(join(data, 'pages', 'load', `page${page}.txt`), seededPage(page, pages));
  // DokuWiki indexes pages lazily (a web bug on each view); searching before every page was
  // viewed would find nothing, so the index is built once now with the package's own indexer.
  await promisify(execFile)('php', ['-d', `auto_prepend_file=${join(dir, 'prepend.php')}`, join(CODE, 'bin', 'indexer.php'), '--quiet'], {
    timeout: 60_000,
    env: { ...process.env, SERVER_PORT: '80' },
  });
}

/** A page of a few hundred words: a title, sections, every search word, links to its neighbours. */
export function seededPage(page: number, pages: number): string {
  const next = (page % pages) + 1;
  const words = SEARCH_WORDS.join(', ');
  return `====== Page ${page} ======

This page is number ${page} of ${pages}. It talks about ${words}: what a live migration of a
virtual machine costs the people who use the application inside it. See also [[load:page${next}]].

===== Pre-copy =====

The hypervisor copies the memory of the guest while it runs, in rounds; pages written during a
round are sent again in the next one. When the rest is small enough, or the rounds stop
converging, the guest is paused and the remaining pages and the processor state are sent: that
pause is the downtime, and the latency users see peaks right after the guest resumes.

===== Notes =====

  * Item ${page}.1 about the network between the hosts
  * Item ${page}.2 about the memory the guest dirties each second
  * Item ${page}.3 about the downtime budget of the application
`;
}

function phpFpmConfig(dir: string, workers: number): string {
  const user = isRoot() ? 'user = root\ngroup = root\n' : '';
  return `[global]
pid = ${dir}/php-fpm.pid
error_log = ${dir}/php-fpm.log
daemonize = no

[wiki]
${user}listen = ${dir}/php-fpm.sock
pm = static
pm.max_children = ${workers}
request_terminate_timeout = 60s
catch_workers_output = yes
php_admin_value[auto_prepend_file] = ${dir}/prepend.php
php_admin_value[session.save_path] = ${dir}/sessions
php_admin_value[error_log] = ${dir}/php-errors.log
php_admin_flag[log_errors] = on
`;
}

function nginxConfig(dir: string, port: number): string {
  const user = isRoot() ? `user ${userInfo().username};\n` : '';
  return `${user}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${CODE};
    index doku.php;
    # What the package's .htaccess denies: code, configuration and data are not for the web.
    location ~ /(\\.ht|_ht|bin/|conf/|data/|inc/|vendor/) { deny all; }
    location ~ \\.php$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_pass unix:${dir}/php-fpm.sock;
      fastcgi_read_timeout 60s;
    }
  }
}
`;
}

function phpFpmBinary(): string | undefined {
  const name = readdirSync('/usr/sbin').find((file) => /^php-fpm\d+(\.\d+)?$/.test(file));
  return name === undefined ? undefined : join('/usr/sbin', name);
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** A server in a process group of its own, so that stopping it ends its workers too. */
function startGroup(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined); // reported by the wait for the wiki, which sees it exit
  return child;
}

/** SIGTERM to the group (both masters end their workers on it), SIGKILL after 5 s. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signalGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child.pid as number, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  // A worker that outlived its master would keep the group: make sure nothing of it is left.
  signalGroup(child.pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
