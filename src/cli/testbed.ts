// `migrascope testbed`: runs the simulated XenServer pool (XAPI over HTTPS or HTTP, its VMs'
// guests behind their proxies) until SIGINT/SIGTERM. With --json it prints one line once ready,
// what a program needs to connect; without, a summary for a person. Migrations are logged as
// they end.
import { Option, type Command } from 'commander';
import { InvalidInputError } from '../invalid/index.ts';
import { logger } from '../log/index.ts';
import { formatDuration } from '../quantity/index.ts';
import { loadTopology, startTestbed, type Testbed, type TestbedDescription } from '../testbed/index.ts';
import { printJson, printText, renderTable } from './output.ts';

interface TestbedCliOptions {
  config?: string;
  json?: boolean;
  http?: boolean;
  https?: boolean;
  port?: number;
  stateDir?: string;
}

export function defineTestbed(command: Command): void {
  command
    .option('--config <file>', 'topology YAML (default: the bundled one, src/testbed/default-topology.yaml)')
    .option('--json', 'once ready, print one JSON line: {"xapi":{"url","username","password"},"hosts":[...],"vms":[...]}')
    .addOption(new Option('--http', 'serve XAPI over plain HTTP').conflicts('https'))
    .addOption(new Option('--https', 'serve XAPI over HTTPS with a CA the testbed generates (its ca.pem is printed)'))
    .option('--port <port>', "XAPI port on 127.0.0.1 (default: the topology's; 0 = any free port)", parsePort)
    .option('--state-dir <dir>', 'where to write ca.pem (default: a temporary directory, removed on exit)')
    .addHelpText(
      'after',
      '\nRuns until SIGINT or SIGTERM, then stops everything it started.\n\n' +
        'Examples:\n' +
        '  migrascope testbed\n' +
        '  migrascope testbed --config my-pool.yaml --http --port 8080 --json',
    )
    .action(async (options: TestbedCliOptions) => {
      const topology = loadTopology(options.config);
      const tls = options.http ? false : options.https ? true : undefined;
      const testbed = await startTestbed(topology, { tls, port: options.port, stateDir: options.stateDir });
      logMigrations(testbed);
      if (options.json) printJson(describeForPrograms(testbed));
      else printText(describeForPeople(topology.pool, testbed));
      await untilSignalled();
      logger().info('stopping the testbed');
      await testbed.close();
    });
}

/** Exactly the documented JSON shape (caFile only over HTTPS). */
export function describeForPrograms(testbed: TestbedDescription): TestbedDescription {
  const { xapi, hosts, vms } = testbed;
  return {
    xapi: { url: xapi.url, username: xapi.username, password: xapi.password, ...(xapi.caFile ? { caFile: xapi.caFile } : {}) },
    hosts: hosts.map(({ name, uuid }) => ({ name, uuid })),
    vms: vms.map(({ name, uuid, host, url }) => ({ name, uuid, host, url })),
  };
}

export function describeForPeople(pool: string, testbed: TestbedDescription): string {
  const { xapi } = testbed;
  const lines = [
    `Simulated pool "${pool}" is ready.`,
    `XAPI:      ${xapi.url}`,
    `user:      ${xapi.username}`,
    `password:  ${xapi.password}`,
    ...(xapi.caFile ? [`CA bundle: ${xapi.caFile}`] : []),
    '',
    renderTable(testbed.hosts, [
      { header: 'HOST', value: (host) => host.name },
      { header: 'UUID', value: (host) => host.uuid },
    ]),
    '',
    renderTable(testbed.vms, [
      { header: 'VM', value: (vm) => vm.name },
      { header: 'ON HOST', value: (vm) => vm.host ?? '-' },
      { header: 'APPLICATION', value: (vm) => vm.url ?? '-' },
      { header: 'UUID', value: (vm) => vm.uuid },
    ]),
    '',
    'Press Ctrl-C to stop.',
  ];
  return lines.join('\n');
}

function logMigrations(testbed: Testbed): void {
  testbed.migrations.on('migration', (report) => {
    const { timeline } = report;
    logger().info(
      {
        vm: report.vm,
        source: report.source,
        destination: report.destination,
        outcome: timeline.outcome,
        durationMs: Math.round(timeline.endedAt - timeline.startedAt),
        downtimeMs: timeline.downtimeMs === undefined ? undefined : Math.round(timeline.downtimeMs),
      },
      `${report.vm}: ${report.source} -> ${report.destination} ${timeline.outcome} after ${formatDuration(timeline.endedAt - timeline.startedAt)}`,
    );
  });
}

/** Set by `migrascope run --testbed` for the testbed it starts in a process group of its own. */
export const STOP_WITH_PID_ENV = 'MIGRASCOPE_STOP_WITH_PID';

/** SIGINT, SIGTERM, or (with MIGRASCOPE_STOP_WITH_PID) the end of the process that started this one, even a SIGKILLed one. */
function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const parent = Number(process.env[STOP_WITH_PID_ENV]);
    const watch = Number.isInteger(parent) && parent > 1
      ? setInterval(() => {
        try {
          process.kill(parent, 0);
        } catch {
          logger().warn({ pid: parent }, 'the process that started the testbed is gone');
          stop();
        }
      }, 1000)
      : undefined;
    watch?.unref();
    const stop = () => {
      clearInterval(watch);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new InvalidInputError('--port', `must be a whole number from 0 to 65535, got "${text}"`);
  return port;
}
