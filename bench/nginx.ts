// The loopback server the throughput and memory figures are measured against: nginx with one
// worker answering `200 ok` from memory, no access log, pinned to one core. On these machines it
// serves well over twice what any client tool can ask of it from the other core, so the figures
// measure the clients, not the server (a Node http server caps near 65k req/s and would measure
// itself).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { atExit, start, stop, which } from './children.ts';

export interface LoopbackServer {
  url: string;
  port: number;
  child: ChildProcess;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (for programs that cannot be told to take port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Resolves once something accepts TCP connections on the port; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before listening`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function config(dir: string, port: number): string {
  // As root, nginx would switch its worker to "nobody"; keep it the current user's.
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};\n` : '';
  return `${user}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 65536; }
worker_rlimit_nofile 131072;
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:${port} backlog=65535;
    location / { return 200 "ok"; }
  }
}
`;
}

/** Starts nginx on core `core`; undefined (with the reason) when nginx or taskset is missing. */
export async function startNginx(core: number): Promise<LoopbackServer | string> {
  const nginx = which('nginx') ?? (which('/usr/sbin/nginx') ? '/usr/sbin/nginx' : undefined);
  if (nginx === undefined) return 'nginx is not installed (Debian: apt-get install nginx-light)';
  if (which('taskset') === undefined) return 'taskset is not installed (Debian: util-linux)';
  const dir = mkdtempSync(join(tmpdir(), 'migrascope-bench-nginx-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const dropCleanup = atExit(removeDir);
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), config(dir, port));
    const child = start('taskset', ['-c', String(core), nginx, '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;']);
    try {
      await waitForPort(port, 5000, child);
    } catch (error) {
      await stop(child);
      const log = readLog(dir);
      // Someone took the port between our probe and nginx's bind: try another.
      if (attempt < 3 && log.includes('Address already in use')) continue;
      removeDir();
      dropCleanup();
      throw new Error(`nginx did not start: ${(error as Error).message}\n${log}`, { cause: error });
    }
    return {
      url: `http://127.0.0.1:${port}/`,
      port,
      child,
      async close() {
        await stop(child);
        removeDir();
        dropCleanup();
      },
    };
  }
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8').trim();
  } catch {
    return '(no error log)';
  }
}
