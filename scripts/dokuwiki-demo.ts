// `make demo-dokuwiki`: Migrascope on an application nobody here wrote. Starts a private DokuWiki
// (the Debian package under php-fpm behind nginx, on loopback: test/support/dokuwiki.ts), puts it
// behind the testbed's web VM, and runs the shipped WorkloadProfile with a short version of
// examples/dokuwiki/experiment.yaml through `migrascope run --testbed`: its five actions judged,
// one live migration in the middle, the table and the report. Stops the wiki on the way out,
// Ctrl-C included.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { dokuWikiTopology, startDokuWiki } from '../test/support/dokuwiki.ts';
import { testbedPoolDocuments } from '../test/support/run-topology.ts';

const root = join(import.meta.dirname, '..');
const out = process.env.MIGRASCOPE_DEMO_OUT ?? join(root, 'migrascope-results');
const PAGES = 50;

// 40 users at the profile's 5 s cycle, 3 minutes of steady state, one migration at 90 s: the
// example's shape, compressed as `make demo` compresses the study's.
const RUN = `${testbedPoolDocuments()}---
apiVersion: migrascope.io/v1alpha1
kind: MigrationExperiment
metadata: {name: dokuwiki-demo}
spec:
  poolRef: {name: testbed}
  target: {vm: {nameLabel: web}, applicationUrl: http://web.testbed.local/, probeUrl: http://web.testbed.local/lib/tpl/dokuwiki/images/logo.png}
  workload: {profileRef: {name: dokuwiki}, params: {pages: ${PAGES}}, users: 40, rampUp: 30s, steadyState: 3m, rampDown: 10s}
  sla:
    window: 1m
    thresholds: {ViewPage: 1s, Search: 2s, EditPage: 3s}
    defaultThreshold: 2s
  migrations: {offsets: [90s], timeout: 5m}
`;

const dir = await mkdtemp(join(tmpdir(), 'migrascope-dokuwiki-demo-'));
const wiki = await startDokuWiki({ pages: PAGES });
process.stderr.write(`DokuWiki at ${wiki.url} (user ${wiki.username})\n`);
let code: number;
try {
  await writeFile(join(dir, 'topology.yaml'), stringify(dokuWikiTopology(wiki)));
  await writeFile(join(dir, 'run.yaml'), RUN);
  await mkdir(out, { recursive: true });
  const args = ['run', join(dir, 'run.yaml'), join(root, 'examples/dokuwiki/workloadprofile.yaml'), '--testbed', '--testbed-config', join(dir, 'topology.yaml')];
  args.push('--results-dir', out, '--report', join(out, 'dokuwiki-report.html'), '--json', join(out, 'dokuwiki-status.json'));
  const child = spawn(join(root, 'bin/migrascope'), args, { stdio: 'inherit' });
  // Ctrl-C reaches the child too (same terminal): wait for it to stop, then take the wiki down.
  process.on('SIGINT', () => undefined);
  code = await new Promise<number>((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal === 'SIGINT' ? 130 : 1))));
} finally {
  await wiki.stop();
  await rm(dir, { recursive: true, force: true });
}
process.exit(code);
