import { describe, expect, it } from 'vitest';
import { Sla, type RunResult } from '../api/v1alpha1/index.ts';
import { analyzeRun } from '../engine/run-analysis.ts';
import { renderExperimentReport } from './experiment-report.ts';
import { formatOffset, formatSeconds } from './format.ts';
import type { ExperimentReportInput, RunReportInput } from './input.ts';
import { secondOf, svgElements, svgsOf, tableRows } from './testing/reading.ts';
import { summaryOf, syntheticExperiment, syntheticRun } from './testing/synthetic.ts';

const T0 = 1_700_000_000_000;
const plan = { startAtMs: T0, steadyStartMs: T0 + 10_000, steadyEndMs: T0 + 70_000, endMs: T0 + 80_000 };
const generatedAt = new Date(T0 + 3_600_000);
const experiment = syntheticExperiment({
  workload: { users: 50, rampUp: '10s', steadyState: '1m', rampDown: '10s' },
  sla: { window: '20s' },
  migrations: undefined,
});

function run(result: Partial<RunResult>, seconds: RunReportInput['seconds'], migrations: RunReportInput['migrations'] = []): RunReportInput {
  return { result: { index: 1, state: 'Succeeded', ...result }, plan, seconds, migrations };
}

describe('Given names that are markup: an action from a custom profile and a host name label', () => {
  const evilAction = '<img src=x onerror=alert(1)>';
  const evilHost = '"><script>alert(2)</script>';
  const seconds = Array.from({ length: 80 }, (_, s) => secondOf(T0 / 1000 + s, { [evilAction]: [100, 200] }));
  const html = renderExperimentReport({
    experiment,
    generatedAt,
    runs: [
      run(
        {
          actions: [{ action: evilAction, count: 160, errors: 0, thresholdSeconds: 0, percentiles: [{ percentile: 90, maxSeconds: 0.2, violations: 0, verdict: 'Pass' }], verdict: 'Pass' }],
          verdicts: [{ percentile: 90, verdict: 'Pass' }],
        },
        seconds,
        [{ index: 1, startMs: T0 + 30_000, endMs: T0 + 40_000, source: evilHost, destination: 'xen-b', state: 'Succeeded' }],
      ),
    ],
  });

  it('Then they are shown as text, escaped everywhere (content and attributes)', () => {
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert(2)');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('data-action="&lt;img src=x onerror=alert(1)&gt;"');
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt; → xen-b');
  });

  it('Then the only scripts are the hover script and one data block per chart', () => {
    const scripts = html.match(/<script/g) ?? [];
    const charts = html.match(/<figure /g) ?? [];
    expect(charts).toHaveLength(2); // the load and the one action
    expect(scripts).toHaveLength(charts.length + 1);
  });

  it('Then every chart is well-formed SVG', () => {
    for (const svg of svgsOf(html)) expect(() => svgElements(svg)).not.toThrow();
  });
});

describe('Given a run in which nothing was recorded', () => {
  const html = renderExperimentReport({ experiment, generatedAt, runs: [run({ state: 'Failed', message: 'the application never answered', actions: [] }, [])] });

  it('Then the report says so instead of drawing empty action charts', () => {
    expect(html).toContain('No action completed in steady state.');
    expect(html).toContain('No per-second data was recorded for this run.');
    expect(html).toContain('the application never answered');
    expect(html.match(/<figure /g)).toHaveLength(1); // the load chart, empty
  });

  it('Then no verdict is claimed', () => {
    expect(html).toContain('No verdict');
  });
});

describe('Given a run whose every HomePage failed, judged by the engine as status holds it', () => {
  const seconds = Array.from({ length: 80 }, (_, s) => secondOf(T0 / 1000 + s, { Login: [300] }, { HomePage: 2 }));
  const analysis = analyzeRun(seconds, Sla.parse({ window: '20s', thresholds: { HomePage: '1s', Login: '1s' } }), plan);
  const html = renderExperimentReport({ experiment, generatedAt, runs: [run({ actions: analysis.actions, verdicts: analysis.verdicts, verdict: analysis.verdict }, seconds)] });

  it('Then the header says the SLA is broken by HomePage having no data, never kept', () => {
    expect(html).toMatch(/<div class="big-verdict fail" data-percentile="90">.*✗ broken.*HomePage \(no data: never succeeded\)/);
    expect(html).not.toMatch(/big-verdict pass/);
  });

  it('Then the action table reads No data for HomePage, Pass for Login', () => {
    expect(tableRows(html, 'actions').map((row) => [row[0], row.at(-1)])).toEqual([
      ['HomePage', '✗ No data'],
      ['Login', '✓ Pass'],
    ]);
  });
});

describe('Given a run without migrations, p99 broken by HomePage and p90 kept', () => {
  const seconds = Array.from({ length: 80 }, (_, s) => secondOf(T0 / 1000 + s, { HomePage: [100, 100, 100, 100, 100, 100, 100, 100, 100, 1500], Login: [300] }));
  const result: Partial<RunResult> = {
    actions: [
      {
        action: 'HomePage',
        count: 800,
        errors: 0,
        thresholdSeconds: 1,
        percentiles: [
          { percentile: 90, maxSeconds: 0.1, violations: 0, verdict: 'Pass' },
          { percentile: 99, maxSeconds: 1.5, violations: 41, verdict: 'Fail' },
        ],
        verdict: 'Fail',
      },
      {
        action: 'Login',
        count: 80,
        errors: 0,
        thresholdSeconds: 1,
        percentiles: [
          { percentile: 90, maxSeconds: 0.3, violations: 0, verdict: 'Pass' },
          { percentile: 99, maxSeconds: 0.3, violations: 0, verdict: 'Pass' },
        ],
        verdict: 'Pass',
      },
    ],
    verdicts: [
      { percentile: 90, verdict: 'Pass' },
      { percentile: 99, verdict: 'Fail' },
    ],
    verdict: 'Fail',
  };
  const html = renderExperimentReport({ experiment, generatedAt, runs: [run(result, seconds)] });

  it('Then the header says p90 kept and p99 broken, naming the action and its windows', () => {
    expect(html).toMatch(/<div class="big-verdict pass" data-percentile="90">.*✓ kept/);
    expect(html).toMatch(/<div class="big-verdict fail" data-percentile="99">.*✗ broken.*HomePage \(41 windows\)/);
  });

  it('Then the table holds the status figures', () => {
    expect(tableRows(html, 'actions').map((row) => row.slice(0, 5))).toEqual([
      ['HomePage', '800', '0', '0.1 s', '1.5 s'],
      ['Login', '80', '0', '0.3 s', '0.3 s'],
    ]);
  });

  it('Then nothing is shaded and the migrations table says there were none', () => {
    expect(html).not.toMatch(/class="(preCopy|stopAndCopy|migration)"/);
    expect(html).toContain('No migration in this run');
  });

  it('Then there is one chart per action, with its windowed lines', () => {
    const figures = [...html.matchAll(/<figure data-chart="[^"]+" data-action="([^"]*)"/g)].map((m) => m[1]);
    expect(figures).toEqual(['HomePage', 'Login']);
    const home = svgElements(svgsOf(html)[1]!);
    expect(home.filter((e) => e.attributes.class === 'windowed').map((e) => e.attributes['data-series'])).toEqual([
      'window p90',
      'window p99',
      'window p90',
      'window p99',
    ]);
  });

  it('Then the file loads nothing: no external source, link or font, and a policy forbidding it', () => {
    expect(html).not.toMatch(/\ssrc=|<link|@import|url\(/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
  });
});

describe('Given three runs with one migration each, and their summary', () => {
  const migrating = syntheticExperiment({
    workload: { users: 60, rampUp: '10s', steadyState: '1m', rampDown: '10s' },
    sla: { window: '20s' },
    migrations: { offsets: ['30s'] },
    repetitions: 3,
  });
  const runs = [1, 2, 3].map((index) =>
    syntheticRun(migrating, { index, seed: index, startAtMs: T0 + index * 100_000, migrations: [{ offset: 30, duration: 12, downtime: 2, source: 'xen-a', destination: 'xen-b' }] }),
  );
  const input: ExperimentReportInput = { experiment: migrating, runs, summary: summaryOf(runs.map((r) => r.result)), generatedAt };
  const html = renderExperimentReport(input);

  it('Then without a summary, the header adds up each action’s broken windows over the runs', () => {
    const { summary: _, ...withoutSummary } = input;
    const header = /data-percentile="99">(.*?)<\/div><\/div>/.exec(renderExperimentReport(withoutSummary))![1]!;
    const failing = runs.flatMap((r) => r.result.actions!).filter((a) => a.percentiles.some((p) => p.percentile === 99 && p.verdict === 'Fail'));
    const names = [...new Set(failing.map((a) => a.action))];
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const windows = failing.filter((a) => a.action === name).reduce((sum, a) => sum + a.percentiles.find((p) => p.percentile === 99)!.violations, 0);
      expect(header.split(`${name} (`).length - 1).toBe(1);
      expect(header).toContain(`${name} (${windows} windows)`);
    }
  });

  it('Then a summary section comes before a section per run, and the bar links to all', () => {
    expect(html.indexOf('id="summary"')).toBeGreaterThan(0);
    expect(html.indexOf('id="summary"')).toBeLessThan(html.indexOf('id="run-1"'));
    expect(html).toContain('id="run-3"');
    expect(html).toMatch(/<nav><a href="#summary">Summary<\/a><a href="#run-1">Run 1<\/a><a href="#run-2">Run 2<\/a><a href="#run-3">Run 3<\/a><\/nav>/);
  });

  it('Then the runs table has a row per run with its migrations and downtime', () => {
    const rows = tableRows(html, 'runs');
    expect(rows.map((row) => row[0])).toEqual(['Run 1', 'Run 2', 'Run 3']);
    expect(rows.map((row) => [row[4], row[5], row[6]])).toEqual(Array(3).fill(['1', '12 s', '2 s']));
  });

  it('Then each run shades its own migration', () => {
    for (const section of html.split('<section class="card run"').slice(1)) {
      const charts = svgsOf(section);
      expect(charts.length).toBeGreaterThan(1);
      for (const svg of charts) expect(svgElements(svg).filter((e) => e.attributes.class === 'stopAndCopy')).toHaveLength(1);
    }
  });
});

describe('Given three runs with one migration each, judged for recovery the engine’s way', () => {
  const migrating = syntheticExperiment({
    workload: { users: 120, rampUp: '10s', steadyState: '1m30s', rampDown: '10s' },
    sla: { window: '20s' },
    migrations: { offsets: ['40s'] },
    repetitions: 3,
  });
  const runs = [1, 2, 3].map((index) =>
    syntheticRun(migrating, { index, seed: index, startAtMs: T0 + index * 200_000, migrations: [{ offset: 40, duration: 12, downtime: 2, source: 'xen-a', destination: 'xen-b' }] }),
  );
  const summary = summaryOf(runs.map((r) => r.result));
  const html = renderExperimentReport({ experiment: migrating, runs, summary, generatedAt });

  it('Then each run shows how long after stop-and-copy users were back, overall and per action, as status says', () => {
    for (const run of runs) {
      const recovery = run.result.migrations![0]!.recovery!;
      expect(recovery.perAction.map((a) => a.action)).toEqual(run.result.actions!.map((a) => a.action));
      const section = html.split(`id="run-${run.result.index}"`)[1]!.split('<section')[0]!;
      const row = tableRows(section, 'migrations')[0]!;
      expect(row.at(-2)).toBe(recovery.seconds === undefined ? `> ${formatSeconds(recovery.observedSeconds)}` : formatSeconds(recovery.seconds));
      expect(row.at(-1)).toBe(recovery.slaSeconds === undefined ? `> ${formatSeconds(recovery.observedSeconds)}` : formatSeconds(recovery.slaSeconds));
      const perAction = tableRows(section, 'recovery');
      expect(perAction.map((r) => r[1])).toEqual(recovery.perAction.map((a) => a.action));
    }
  });

  it("Then each action's chart marks its recovery: from the end of stop-and-copy to when its p90 was back, as status says", () => {
    let marked = 0;
    for (const run of runs) {
      const recovery = run.result.migrations![0]!.recovery!;
      const section = html.split(`id="run-${run.result.index}"`)[1]!.split('<section')[0]!;
      expect(section).toContain("recovery: until the action's p90 was back");
      for (const action of recovery.perAction) {
        const figure = section.split('<figure').slice(1).find((part) => part.includes(`data-action="${action.action}">`))!.split('</figure>')[0]!;
        const groups = svgElements(svgsOf(figure)[0]!).filter((e) => e.name === 'g' && e.attributes.class?.startsWith('recovery'));
        if (action.unseen || action.baselineSeconds === undefined) {
          expect(groups, action.action).toHaveLength(0);
          continue;
        }
        expect(groups.map((g) => g.attributes.class), action.action).toEqual([action.seconds === undefined ? 'recovery not-back' : 'recovery']);
        const title = svgElements(svgsOf(figure)[0]!).find((e) => e.name === 'title' && e.text.startsWith('Migration 1: p90'))!.text;
        expect(title).toBe(
          action.seconds === undefined
            ? `Migration 1: p90 not back within the ${formatSeconds(recovery.observedSeconds)} watched`
            : `Migration 1: p90 back ${formatSeconds(action.seconds)} after stop-and-copy (at ${formatOffset((Date.parse(recovery.fromTime) - run.plan.startAtMs) / 1000 + action.seconds)})`,
        );
        marked++;
      }
    }
    expect(marked).toBeGreaterThan(0);
  });

  it('Then the summary gives the mean and longest recovery over the runs', () => {
    const known = runs.map((r) => r.result.migrations![0]!.recovery!.slaSeconds).filter((s): s is number => s !== undefined);
    expect(known.length).toBeGreaterThan(0);
    // The synthetic backlog drains for 5 s after resume, and a 20 s window holds it for 20 s more.
    expect(Math.max(...known)).toBeGreaterThan(5);
    expect(summary.maxSlaRecoverySeconds).toBe(Math.max(...known));
    expect(html).toContain(`the SLA windows were back under threshold after ${formatSeconds(summary.meanSlaRecoverySeconds)} (longest ${formatSeconds(summary.maxSlaRecoverySeconds)})`);
  });
});

describe('Given several runs that migrated, the summary’s Figure 3', () => {
  const migrating = syntheticExperiment({ workload: { users: 60, rampUp: '10s', steadyState: '1m', rampDown: '10s' }, sla: { window: '20s' }, migrations: { offsets: ['30s'] }, repetitions: 2 });
  const runs = [1, 2].map((index) => syntheticRun(migrating, { index, seed: index, startAtMs: T0 + index * 100_000, migrations: [{ offset: 28 + index * 2, duration: 12, downtime: 2, source: 'xen-a', destination: 'xen-b' }] }));
  const html = renderExperimentReport({ experiment: migrating, runs, summary: summaryOf(runs.map((r) => r.result)), generatedAt });
  const summary = html.split('id="summary"')[1]!.split('id="run-1"')[0]!;

  it('Then each action has a chart of its windowed percentiles averaged over the runs, with the spread shaded, aligned at the migration', () => {
    const names = runs[0]!.result.actions!.map((a) => a.action);
    const figures = [...summary.matchAll(/<figure data-averaged="([^"]+)">([\s\S]*?)<\/figure>/g)];
    expect(figures.map((f) => f[1])).toEqual(expect.arrayContaining(['HomePage', 'TagSearch']));
    for (const [, action, figure] of figures) {
      expect(names).toContain(action);
      const elements = svgElements(svgsOf(figure!)[0]!);
      // Linear and log axes: per SLA percentile a spread band and a mean line in each.
      expect(elements.filter((e) => e.attributes.class === 'spread').map((e) => e.attributes['data-series'])).toEqual(['p90 ± sd', 'p99 ± sd', 'p90 ± sd', 'p99 ± sd']);
      expect(elements.filter((e) => e.attributes.class === 'windowed').map((e) => e.attributes['data-series'])).toEqual(['mean p90', 'mean p99', 'mean p90', 'mean p99']);
      expect(figure).toContain('migration starts');
    }
    expect(summary).toContain('Averaged over 2 runs, aligned at the migration');
    expect(summary).not.toMatch(/NaN|Infinity/);
  });

  it('Then a single run has no such chart', () => {
    const single = renderExperimentReport({ experiment: migrating, runs: [runs[0]!], generatedAt });
    expect(single).not.toContain('data-averaged');
  });
});
