// The alerting rules shipped in deploy/, and the SLO example beside them (deploy/prometheus/slo),
// are checked and unit-tested by the real promtool.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = new URL('../../deploy/prometheus/', import.meta.url).pathname;
const sloDir = new URL('../../deploy/prometheus/slo/', import.meta.url).pathname;

describe('given the shipped Prometheus rules', () => {
  it('when promtool checks them, then they are valid', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', 'migrascope-rules.yaml'], { cwd: dir });
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('when promtool runs their unit tests, then every alert fires exactly when it should', async () => {
    const { stdout } = await run('promtool', ['test', 'rules', 'migrascope-rules.test.yaml'], { cwd: dir });
    expect(stdout).toContain('SUCCESS');
  });
});

describe('given the SLO example built on migrascope_action_duration_seconds (Sloth-style recording rules and burn-rate alerts)', () => {
  it('when promtool checks it, then it is valid', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', 'migrascope-slo.yaml'], { cwd: sloDir });
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('when promtool runs its unit tests on histogram series, then the recorded error ratios and the multiwindow burn-rate alert are as expected', async () => {
    const { stdout } = await run('promtool', ['test', 'rules', 'migrascope-slo.test.yaml'], { cwd: sloDir });
    expect(stdout).toContain('SUCCESS');
  });
});
