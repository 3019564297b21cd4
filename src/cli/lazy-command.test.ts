// Commands are imported only when they run: `--help`, `predict` and `analyze` start without the
// engine's heavy packages (bench/startup.ts measures what that is worth; nothing here is timed).
// An eager import re-added anywhere on their path fails these tests.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrascopeInProcess } from '../../test/support/cli.ts';
import { modulesLoadedBy, packagesOf } from '../../test/support/loaded-modules.ts';
import { defineCommand } from './lazy-command.ts';
import { buildProgram, COMMANDS } from './main.ts';

/** What a short command must not load: the queue, Redis, Kubernetes, the wire schemas, the logger, YAML. */
const HEAVY = ['bullmq', 'ioredis', '@kubernetes/client-node', 'zod', 'pino', 'yaml'];

const dir = await mkdtemp(join(tmpdir(), 'migrascope-lazy-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const commandModules = (urls: readonly string[]): string[] =>
  COMMANDS.map((entry) => entry.name).filter((name) => urls.some((url) => url.endsWith(`/src/cli/${name}.ts`)));

describe('Given the migrascope command run with a hook recording every module it loads', () => {
  it('When `worker --help` runs, then bullmq, ioredis and @kubernetes/client-node are seen (the hook sees what a command imports)', async () => {
    const run = await modulesLoadedBy('worker', '--help');
    expect(run.code).toBe(0);
    expect([...packagesOf(run.urls)]).toEqual(expect.arrayContaining(['bullmq', 'ioredis', '@kubernetes/client-node']));
  });

  it('When `--help` runs, then no command module and none of the heavy packages is loaded, and every command is listed', async () => {
    const run = await modulesLoadedBy('--help');
    expect(run.code).toBe(0);
    for (const entry of COMMANDS) expect(run.stdout).toContain(`  ${entry.name} ${entry.usage}`);
    expect(commandModules(run.urls)).toEqual([]);
    expect([...packagesOf(run.urls)].filter((name) => HEAVY.includes(name))).toEqual([]);
  });

  it('When `predict --preset study-web-vm` runs, then only predict is imported, without the heavy packages', async () => {
    const run = await modulesLoadedBy('predict', '--preset', 'study-web-vm');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/downtime/);
    expect(commandModules(run.urls)).toEqual(['predict']);
    expect([...packagesOf(run.urls)].filter((name) => HEAVY.includes(name))).toEqual([]);
  });

  it('When `analyze` judges a clean log, then only analyze is imported, without the heavy packages', async () => {
    const log = join(dir, 'clean.jsonl');
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ t: 1_700_000_000_000 + i * 250, action: 'HomePage', ms: 40, ok: true }));
    await writeFile(log, `${lines.join('\n')}\n`);
    const run = await modulesLoadedBy('analyze', log, '--window', '2s', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ windows: 4, met: { 90: true, 99: true } });
    expect(commandModules(run.urls)).toEqual(['analyze']);
    expect([...packagesOf(run.urls)].filter((name) => HEAVY.includes(name))).toEqual([]);
  });
});

describe('Given the program with its commands not yet defined', () => {
  // Defining every command imports all of the CLI (the engine, the controller...): seconds on a busy machine.
  it('Then the list of commands reads the same once every command is defined (each entry of COMMANDS says its usage right)', { timeout: 60_000 }, async () => {
    const program = buildProgram();
    const lazily = program.helpInformation();
    for (const command of program.commands) await defineCommand(command);
    expect(program.helpInformation()).toBe(lazily);
  });

  it('When `help NAME` is asked, then NAME is defined first and its options are listed', async () => {
    const run = await migrascopeInProcess('help', 'predict');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--dirty-rate <rate>');
  });
});
