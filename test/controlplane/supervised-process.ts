// A server process the harness owns: started with its output in a log file, waited on until a
// readiness probe passes (or it dies, with the log's tail in the error), stopped with SIGTERM
// then SIGKILL. A test run leaves no kube-apiserver or etcd behind: the live ones are killed
// when the test process exits, and the kernel kills them if it dies (setpriv --pdeathsig; Node
// runs no handler when it is killed itself).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

// util-linux's setpriv (essential on Debian) sets the parent-death signal, then execs the binary,
// so the process we signal is the server itself.
const setpriv = '/usr/bin/setpriv';
const withParentDeathSignal = existsSync(setpriv)
  ? (binary: string, args: string[]): [string, string[]] => [setpriv, ['--pdeathsig', 'KILL', '--', binary, ...args]]
  : (binary: string, args: string[]): [string, string[]] => [binary, args];

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class SupervisedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private exit: ProcessExit | undefined;
  /** Set when the spawn itself failed (binary missing, not executable). */
  private spawnError: Error | undefined;

  constructor(name: string, binary: string, args: string[], logFile: string) {
    this.name = name;
    this.logFile = logFile;
    const log = openSync(logFile, 'a');
    try {
      const [command, commandArgs] = withParentDeathSignal(binary, args);
      this.child = spawn(command, commandArgs, { stdio: ['ignore', log, log] });
    } finally {
      closeSync(log); // the child holds its own copy of the descriptor
    }
    live.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        live.delete(this.child);
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.child.once('error', (error) => {
        live.delete(this.child);
        this.spawnError = error;
        this.exit = { code: null, signal: null };
        resolve(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Polls `probe` until it returns true; fails when the process exits first or time runs out. */
  async waitUntilReady(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastProbeError: unknown;
    while (Date.now() < deadline) {
      if (this.exit) throw this.failure(`exited before it was ready (${describeExit(this.exit)})`);
      try {
        if (await probe()) return;
        lastProbeError = undefined;
      } catch (error) {
        lastProbeError = error; // not up yet: connection refused while it starts is expected
      }
      await sleep(200);
    }
    const reason = lastProbeError instanceof Error ? `; last probe: ${lastProbeError.message}` : '';
    throw this.failure(`not ready after ${timeoutMs} ms${reason}`);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; 0 kills at once. */
  async stop(graceMs = 15_000): Promise<ProcessExit> {
    if (this.exit) return this.exit;
    if (graceMs === 0) {
      this.child.kill('SIGKILL');
      return this.exited;
    }
    this.child.kill('SIGTERM');
    const graceful = await Promise.race([this.exited, sleep(graceMs).then(() => undefined)]);
    if (graceful) return graceful;
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** An error naming the process and carrying the end of its log, where the reason usually is. */
  failure(what: string): Error {
    const spawnError = this.spawnError ? ` (${this.spawnError.message})` : '';
    return new Error(`${this.name} ${what}${spawnError}; log ${this.logFile} ends with:\n${this.logTail()}`);
  }

  logTail(lines = 25): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch (error) {
      return `(log unreadable: ${(error as Error).message})`;
    }
  }
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}
