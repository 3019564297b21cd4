// --load-targets FILE, the same for `controller` and `worker`: the cluster admin's allow-list of
// where each namespace may send load (the chart's `loadTargets`, mounted from a ConfigMap). Unset,
// every namespace may send load anywhere, and the process says so once at start.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { LoadTargetAllowList } from '../engine/load-targets.ts';
import { InvalidInputError } from '../invalid/index.ts';
import { parseYamlDocument } from '../invalid/yaml.ts';
import type { Logger } from '../log/index.ts';

export interface LoadTargetsFlag {
  loadTargets?: string;
}

export function addLoadTargetsFlag(command: Command): Command {
  return command.option(
    '--load-targets <file>',
    'YAML mapping of namespace (or "*") to the hosts, *.suffixes and CIDR ranges it may send load to; anything else is refused (env MIGRASCOPE_LOAD_TARGETS_FILE; default: anywhere)',
    process.env.MIGRASCOPE_LOAD_TARGETS_FILE || undefined,
  );
}

export function loadTargetsOf(flag: LoadTargetsFlag, log: Logger): LoadTargetAllowList {
  const file = flag.loadTargets;
  if (file === undefined) {
    log.warn('no load-target allow-list (--load-targets, the chart\'s loadTargets): every namespace may send load to any host');
    return LoadTargetAllowList.unrestricted();
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError('--load-targets', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const list = LoadTargetAllowList.parse(parseYamlDocument(text, 'loadTargets') ?? {}, 'loadTargets');
    log.info({ file }, 'load targets restricted to the allow-list: anything it does not name is refused');
    return list;
  } catch (error) {
    if (error instanceof InvalidInputError) throw new InvalidInputError('--load-targets', `${file}: ${error.message}`);
    throw error;
  }
}
