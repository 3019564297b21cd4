import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { campaign, experiment } from '../api/testing/cases.ts';
import { parseCampaign, parseExperiment, type MigrationExperiment } from '../api/v1alpha1/index.ts';
import { bucketsOf, newHistogram, type SecondSnapshot } from '../recording/index.ts';
import { decodeResults, encodeResults, experimentResults, reportInputOf, RESULTS_FORMAT, type ExperimentResults } from './results-file.ts';

function second(at: number, valuesUs: number[]): SecondSnapshot {
  const histogram = newHistogram();
  for (const value of valuesUs) histogram.recordValue(value);
  return { second: at, actions: { HomePage: { histogram, ok: valuesUs.length, errors: { timeout: 1 } } } };
}

const ran: MigrationExperiment = {
  ...parseExperiment({ ...experiment('kept'), metadata: { name: 'kept', namespace: 'lab', uid: 'u-1', managedFields: [{ manager: 'kubectl' }] } }),
  status: {
    phase: 'Succeeded',
    completionTime: '2026-01-01T10:10:00Z',
    runs: [{ index: 1, state: 'Succeeded', startTime: '2026-01-01T10:00:00Z' }],
    // A field a later migrascope adds to status: kept as it is.
    recoverySeconds: 4.5,
  } as MigrationExperiment['status'],
};
// As the run hands its report input over: the status' run with its timetable, instants and seconds.
const results: ExperimentResults = experimentResults({
  experiment: ran,
  runs: [
    {
      result: ran.status!.runs![0]!,
      plan: { startAtMs: 1_000_000, steadyStartMs: 1_002_000, steadyEndMs: 1_010_000, endMs: 1_011_000 },
      migrations: [{ index: 1, state: 'Succeeded', startMs: 1_004_000, downtimeStartMs: 1_005_000, downtimeEndMs: 1_005_300, durationSeconds: 2.1 }],
      seconds: [second(1000, [1200, 15_000, 250_000]), second(1001, [900])],
    },
  ],
});

describe('given the results of a finished experiment', () => {
  it('when encoded and decoded, then every count, the status whole and the migrations come back; managedFields do not', () => {
    const back = decodeResults(encodeResults({ kind: 'MigrationExperiment', writtenAt: '2026-01-01T10:10:01Z', experiment: results }), 'kept.results.json.gz');
    expect(back.kind).toBe('MigrationExperiment');
    if (back.kind !== 'MigrationExperiment') return;
    const run = back.experiment.runs[0]!;
    // Bucket for bucket: the exact way to compare histograms of one shape.
    const shape = (seconds: readonly SecondSnapshot[]) => seconds.map((s) => ({ second: s.second, ok: s.actions.HomePage!.ok, errors: s.actions.HomePage!.errors, buckets: bucketsOf(s.actions.HomePage!.histogram) }));
    expect(shape(run.seconds)).toEqual(shape(results.runs[0]!.seconds));
    expect(run.seconds[0]!.actions.HomePage!.histogram.totalCount).toBe(3);
    expect(back.experiment.experiment.metadata).toEqual({ name: 'kept', namespace: 'lab', uid: 'u-1' });
    expect(run.migrations).toEqual(results.runs[0]!.migrations);
    expect(back.experiment.experiment.status).toEqual(ran.status);
    expect(reportInputOf(back.experiment, new Date(0)).runs[0]?.result).toEqual(ran.status!.runs![0]);
  });

  it('when a campaign is encoded with its levels, then it decodes with them', () => {
    const swept = { ...parseCampaign(campaign('swept')), status: { phase: 'Succeeded' as const, levels: [{ users: 100, experiment: 'kept' }] } };
    const back = decodeResults(encodeResults({ kind: 'MigrationCampaign', writtenAt: 'now', campaign: swept, experiments: [results] }), 'f');
    expect(back.kind === 'MigrationCampaign' && [back.campaign.status.levels, back.experiments.map((e) => e.experiment.metadata.name)]).toEqual([[{ users: 100, experiment: 'kept' }], ['kept']]);
  });
});

describe('given a file that is not a readable results file', () => {
  const file = (json: unknown) => gzipSync(JSON.stringify(json));
  const cases: [string, Buffer, RegExp][] = [
    ['plain JSON, not gzip', Buffer.from('{}'), /^f: not a migrascope results file \(gzip-compressed JSON\)/],
    ['another format', file({ format: 'something', version: 1 }), /not a migrascope results file \(its "format" is "something", expected "migrascope-results"\)/],
    ['a later version', file({ format: RESULTS_FORMAT, version: 2, kind: 'MigrationExperiment', writtenAt: 'x' }), /results file version 2, this migrascope reads version 1/],
    ['an unknown kind', file({ format: RESULTS_FORMAT, version: 1, kind: 'XenPool', writtenAt: 'x' }), /a results file with a bad header/],
    ['no experiment', file({ format: RESULTS_FORMAT, version: 1, kind: 'MigrationExperiment', writtenAt: 'x' }), /a damaged results file: .*experiment/s],
    [
      'a histogram that is not one',
      file({ format: RESULTS_FORMAT, version: 1, kind: 'MigrationExperiment', writtenAt: 'x', experiment: { experiment: ran, runs: [{ index: 1, plan: results.runs[0]!.plan, migrations: [], seconds: [{ second: 1, actions: { HomePage: { histogram: 'AAAA', ok: 1, errors: {} } } }] }] } }),
      /a damaged results file: snapshot of second 1: actions\.HomePage\.histogram/,
    ],
    ['a spec the API refuses', file({ format: RESULTS_FORMAT, version: 1, kind: 'MigrationExperiment', writtenAt: 'x', experiment: { experiment: { ...ran, spec: { ...ran.spec, repetitions: 0 } }, runs: [] } }), /a damaged results file: spec\.repetitions/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`when it is ${what}, then the refusal names the file and says why`, () => {
      expect(() => decodeResults(bytes, 'f')).toThrow(message);
    });
  }
});
