// The official Python SDK (`import XenAPI`, XML-RPC) against the testbed, unchanged: it logs in,
// reads records, follows event.from and live-migrates the web VM with Async.VM.pool_migrate.
// The SDK runs in the project's venv (make deps); test/integration/xenapi_client.py drives it.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestbed, type Testbed } from '../../src/testbed/index.ts';
import { PASSWORD, smallTopology, WEB_MEMORY } from './testbed-topology.ts';

const PYTHON = fileURLToPath(new URL('../../.venv/bin/python', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./xenapi_client.py', import.meta.url));
const run = promisify(execFile);

interface PythonReport {
  api_version: string;
  master_is_a_host: boolean;
  vm: { name: string; power_state: string; memory_static_max: string; memory_type: string };
  first_events: string[];
  valid_ref_counts_vm: number;
  source_is_destination: boolean;
  task: { status: string; result: string; progress: number; error_info: string[] };
  progress_seen: number[];
  resident_on_after: boolean;
  vm_moved_in_events: boolean;
  bad_login: string[] | null;
}

async function migrateWithPython(testbed: Testbed, destination: string): Promise<PythonReport> {
  const { url, username, password, caFile } = testbed.xapi;
  const { stdout } = await run(PYTHON, [SCRIPT, url, username, password, caFile ?? '-', 'web', destination], { timeout: 60_000 });
  return JSON.parse(stdout) as PythonReport;
}

describe.each([
  ['HTTPS, verified against the testbed CA', true],
  ['plain HTTP', false],
])('Given the testbed over %s', (_transport, tls) => {
  let testbed: Testbed;

  beforeAll(async () => {
    testbed = await startTestbed(smallTopology({ tls }));
  });

  afterAll(async () => {
    await testbed?.close();
  });

  describe('When the Python SDK live-migrates the web VM from h1 to h2', () => {
    let report: PythonReport;

    beforeAll(async () => {
      report = await migrateWithPython(testbed, 'h2');
    });

    it('Then it logged in and read records as XML-RPC gives them (64-bit ints as strings)', () => {
      expect(testbed.xapi.password).toBe(PASSWORD);
      expect(report.api_version).toBe('2.21');
      expect(report.master_is_a_host).toBe(true);
      expect(report.vm).toEqual({ name: 'web', power_state: 'Running', memory_static_max: String(WEB_MEMORY), memory_type: 'str' });
    });

    it('Then event.from from an empty token returned every VM and no task, with counts', () => {
      expect(report.first_events).toEqual(['vm']);
      expect(report.valid_ref_counts_vm).toBe(6);
    });

    it('Then the task advanced and ended success with an empty XML-RPC result', () => {
      expect(report.source_is_destination).toBe(false);
      expect(report.task).toEqual({ status: 'success', result: '<value></value>', progress: 1, error_info: [] });
      expect(report.progress_seen.length).toBeGreaterThan(2);
      expect([...report.progress_seen].sort((a, b) => a - b)).toEqual(report.progress_seen);
    });

    it('Then the VM runs on h2, and event.from showed it moving', () => {
      expect(report.resident_on_after).toBe(true);
      expect(report.vm_moved_in_events).toBe(true);
    });

    it('Then a wrong password failed with SESSION_AUTHENTICATION_FAILED', () => {
      expect(report.bad_login).toEqual(['SESSION_AUTHENTICATION_FAILED', 'root', 'Authentication failure']);
    });
  });
});
