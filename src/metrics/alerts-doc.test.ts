// docs/metrics.md lists every alert of alert-rules.ts (written by hand, no generator): this keeps
// the table and the rules in step, name, severity, for: and runbook link, both ways.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERT_GROUPS } from './alert-rules.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'metrics.md'), 'utf8');
const rules = ALERT_GROUPS.flatMap((group) => group.rules);

/** The rows of the table under "## Alerts": alert -> [severity, for, meaning, runbook] cells. */
function alertTable(): Map<string, string[]> {
  const section = doc.split(/^## /m).find((part) => part.startsWith('Alerts\n')) ?? '';
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
  return new Map(rows.map(([name = '', ...cells]) => [name.replaceAll('`', ''), cells]));
}

describe('Given docs/metrics.md and the alerts of alert-rules.ts', () => {
  const table = alertTable();

  it('then the Alerts table lists exactly the alerts of alert-rules.ts', () => {
    expect([...table.keys()].sort()).toEqual(rules.map((rule) => rule.alert).sort());
  });

  it("then each row gives the alert's severity, for: and its runbook section", () => {
    for (const rule of rules) {
      const [severity = '', forCell = '', meaning = '', runbook = ''] = table.get(rule.alert) ?? [];
      // A templated severity (p99 info, else warning) must name each severity it can give.
      const severities = ['critical', 'warning', 'info'].filter((level) => rule.severity.includes(level));
      expect(severities.length, rule.alert).toBeGreaterThan(0);
      for (const level of severities) expect(severity, rule.alert).toContain(`\`${level}\``);
      for (const level of ['critical', 'warning', 'info'].filter((other) => !severities.includes(other))) expect(severity, rule.alert).not.toContain(`\`${level}\``);
      expect(forCell, rule.alert).toBe(rule.for ?? 'none');
      expect(meaning.length, rule.alert).toBeGreaterThan(20);
      expect(runbook, rule.alert).toBe(`[${rule.alert}](runbooks.md#${rule.alert.toLowerCase()})`);
    }
  });
});
