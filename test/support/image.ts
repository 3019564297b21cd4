// The operator's image, built and run for real without a Docker engine: scripts/build-image.sh
// (what `make image` runs) builds the Dockerfile with buildah from the local stand-in base of
// scripts/image-base.sh, in that script's cached storage; the image's root filesystem is then
// mounted (`buildah from` + `buildah mount`) and its entrypoint run under
// `unshare --mount --pid --fork chroot`, as a container runtime would: as the image's user, in its
// working directory with its environment, the root read-only and only the given volumes writable.
// The processes share the host's network namespace, so loopback servers are reachable.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tool } from '../../scripts/kube-tools.ts';
import { startProcess, type RunningProcess } from './processes.ts';

const root = join(import.meta.dirname, '..', '..');
/** Where the test's images are tagged, `<pid>-<time>` each. */
const TEST_REPOSITORY = 'localhost/migrascope-test';

export interface ImageConfig {
  User: string;
  Env: string[];
  Entrypoint: string[];
  Cmd?: string[];
  WorkingDir: string;
  Labels: Record<string, string>;
}

export interface BuiltImage {
  name: string;
  config: ImageConfig;
  /** The sum of the image's layers, uncompressed (what `docker images` calls its size). */
  sizeBytes: number;
  /** Of which the base image's layers. */
  baseBytes: number;
  /** The image's root filesystem, mounted from a working container of it. */
  rootfs: string;
  /** Removes the working container and the image (the cached base stays). */
  remove(): Promise<void>;
}

export interface Volume {
  /** A directory on this machine. */
  source: string;
  /** Where it appears inside the image's root. */
  target: string;
  readOnly?: boolean;
}

export interface RunOptions {
  /** Directories bound into the root; /tmp is always a fresh tmpfs. */
  volumes?: Volume[];
  /** Added to the image's own environment. */
  env?: Record<string, string>;
  /** Replaces the image's entrypoint (a probe with /bin/sh). */
  entrypoint?: string[];
}

interface ImageInspect {
  Manifest: string;
  OCIv1: { config: ImageConfig };
}

/** Builds the Dockerfile as `make image` does, from the local base; buildah must be installed. */
export async function buildImage(): Promise<BuiltImage> {
  const printed = execFileSync(join(root, 'scripts', 'image-base.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const paths = new Map(printed.trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
  const storage = paths.get('IMAGE_STORAGE');
  const base = paths.get('IMAGE_BASE');
  if (!storage || !base) throw new Error(`scripts/image-base.sh printed no IMAGE_STORAGE= and IMAGE_BASE= lines: ${printed}`);
  const storageFlags = ['--root', join(storage, 'root'), '--runroot', join(storage, 'run'), '--storage-driver', 'vfs'];
  const buildah = (args: string[]) => tool('buildah', [...storageFlags, ...args]);

  await removeAbandoned(buildah);
  const name = `${TEST_REPOSITORY}:${process.pid}-${Date.now()}`;
  await tool(join(root, 'scripts', 'build-image.sh'), storageFlags, { env: { ...process.env, IMAGE: name, IMAGE_BUILDER: 'buildah', BASE_IMAGE: base } });
  const layerBytes = async (image: string) => {
    const inspected = JSON.parse(await buildah(['inspect', '--type', 'image', image])) as ImageInspect;
    const manifest = JSON.parse(inspected.Manifest) as { layers: { size: number }[] };
    return { config: inspected.OCIv1.config, bytes: manifest.layers.reduce((sum, layer) => sum + layer.size, 0) };
  };
  const built = await layerBytes(name);
  const baseBytes = (await layerBytes(base)).bytes;
  const container = (await buildah(['from', '--pull-never', '--quiet', name])).trim();
  const rootfs = (await buildah(['mount', container])).trim();
  return {
    name,
    config: built.config,
    sizeBytes: built.bytes,
    baseBytes,
    rootfs,
    remove: async () => {
      await buildah(['rm', container]);
      await buildah(['rmi', name]);
    },
  };
}

/**
 * Removes the images (and their working containers) of test runs that were killed before their
 * afterAll: each tag starts with the pid of its run, and a run still alive keeps its own.
 */
async function removeAbandoned(buildah: (args: string[]) => Promise<string>): Promise<void> {
  const tags = (await buildah(['images', '--noheading', '--format', '{{.Name}}:{{.Tag}}'])).split('\n').filter((tag) => tag.startsWith(`${TEST_REPOSITORY}:`));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const abandoned = tags.filter((tag) => !alive(Number(tag.slice(TEST_REPOSITORY.length + 1).split('-')[0])));
  if (abandoned.length > 0) await buildah(['rmi', '--force', ...abandoned]);
}

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * Runs the image's entrypoint with `args` from its root filesystem, as a container runtime would
 * with a read-only root: a private mount namespace binds the root onto itself, mounts a tmpfs on
 * /tmp, /proc, the host's /dev and the volumes, remounts the root read-only, then chroots as the
 * image's user into its working directory with only the image's environment and `env`.
 */
export function runFromImage(image: BuiltImage, args: string[], options: RunOptions = {}): RunningProcess {
  const rootfs = image.rootfs;
  const volumes = options.volumes ?? [];
  // Mount points are made in the working container before its root turns read-only, as runtimes do.
  for (const volume of volumes) mkdirSync(join(rootfs, volume.target), { recursive: true });
  const env = [...image.config.Env, ...Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`)];
  const command = [...(options.entrypoint ?? image.config.Entrypoint), ...args];
  const script = [
    'set -e',
    `mount --bind ${quote(rootfs)} ${quote(rootfs)}`,
    `mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs ${quote(join(rootfs, 'tmp'))}`,
    `mount -t proc proc ${quote(join(rootfs, 'proc'))}`,
    `mount --rbind /dev ${quote(join(rootfs, 'dev'))}`,
    ...volumes.map((volume) => `mount --bind${volume.readOnly ? ' -o ro' : ''} ${quote(volume.source)} ${quote(join(rootfs, volume.target))}`),
    `mount -o remount,bind,ro ${quote(rootfs)}`,
    `exec chroot --userspec=${quote(image.config.User)} ${quote(rootfs)} /usr/bin/env -i -C ${quote(image.config.WorkingDir)} ${[...env, ...command].map(quote).join(' ')}`,
  ].join('\n');
  // --kill-child: should this test process die, the process in the image gets a SIGTERM.
  const running = startProcess('unshare', ['--mount', '--pid', '--fork', '--kill-child=SIGTERM', 'sh', '-c', script]);
  return { ...running, stop: () => stopContainer(running) };
}

/**
 * Stops the process in the image as a runtime stops a container: SIGTERM to it (the init of its
 * PID namespace: the entrypoint, exec'ed), then SIGKILL if it is still there after the grace
 * period, which takes down everything in that namespace. Signalling unshare instead would end
 * unshare at once and leave the process in the image running on, unwatched, if its shutdown
 * hangs (a controller waiting for a Redis the test has already stopped).
 */
async function stopContainer(running: RunningProcess, graceMs = 10_000): Promise<void> {
  const { child } = running;
  const init = child.pid === undefined ? undefined : namespaceInit(child.pid);
  if (init !== undefined && child.exitCode === null && child.signalCode === null) {
    // unshare waits for its child: its exit says the process in the image has ended.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    signal(init, 'SIGTERM');
    const timer = setTimeout(() => signal(init, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  await running.stop();
}

/** The process unshare forked (the init of the new PID namespace), from /proc. */
function namespaceInit(unsharePid: number): number | undefined {
  try {
    const [first] = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(/\s+/);
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
