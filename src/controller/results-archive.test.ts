import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { campaign, experiment } from '../api/testing/cases.ts';
import { parseCampaign, parseExperiment } from '../api/v1alpha1/index.ts';
import { createLogger } from '../log/index.ts';
import type { ResultsDocument } from '../results/results-file.ts';
import { ResultsArchive } from './results-archive.ts';
import type { StoredObject } from './resources.ts';

const log = createLogger({ level: 'silent' });

function finishedAt(completionTime: string): StoredObject {
  return { ...experiment('kept'), metadata: { name: 'kept', namespace: 'lab', uid: 'u-1' }, status: { phase: 'Succeeded', completionTime } } as StoredObject;
}

function documentOf(object: StoredObject): ResultsDocument {
  return { kind: 'MigrationExperiment', writtenAt: new Date().toISOString(), experiment: { experiment: { ...parseExperiment({ ...object, status: undefined }), status: object.status ?? {} }, runs: [] } };
}

describe('given a results volume', () => {
  it('when a finished experiment is kept again (another reconcile, a restarted controller), then it is written once; a rerun that finishes again is written again, the first kept beside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrascope-archive-'));
    let builds = 0;
    const build = (object: StoredObject) => async () => ((builds += 1), documentOf(object));
    const first = finishedAt('2026-01-01T10:00:00Z');
    const archive = new ResultsArchive(dir, log);
    expect(await archive.keep('MigrationExperiment', first, build(first))).toBe(join(dir, 'lab', 'kept.results.json.gz'));
    expect(await archive.keep('MigrationExperiment', first, build(first))).toBeUndefined();
    expect(await new ResultsArchive(dir, log).keep('MigrationExperiment', first, build(first))).toBeUndefined();
    expect(builds).toBe(1);

    const rerun = finishedAt('2026-01-02T10:00:00Z');
    await archive.keep('MigrationExperiment', rerun, build(rerun));
    expect(builds).toBe(2);
    const files = await readdir(join(dir, 'lab'));
    expect(files).toHaveLength(2);
    expect(files).toContain('kept.results.json.gz');
    const kept = await archive.read('lab', 'kept', 'MigrationExperiment');
    expect(kept?.kind === 'MigrationExperiment' && kept.experiment.experiment.status?.completionTime).toBe('2026-01-02T10:00:00Z');
  });

  it("when a finished campaign is kept, then its file is the campaign's, beside an experiment of the same name, written once per finish", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrascope-archive-'));
    const archive = new ResultsArchive(dir, log);
    const finished = { ...campaign('kept'), metadata: { name: 'kept', namespace: 'lab', uid: 'c-1' }, status: { phase: 'Succeeded', completionTime: '2026-01-03T10:00:00Z' } } as StoredObject;
    let builds = 0;
    const build = async (): Promise<ResultsDocument> => {
      builds += 1;
      return { kind: 'MigrationCampaign', writtenAt: new Date().toISOString(), campaign: { ...parseCampaign({ ...finished, status: undefined }), status: finished.status ?? {} }, experiments: [] };
    };
    await archive.keep('MigrationExperiment', finishedAt('2026-01-01T10:00:00Z'), async () => documentOf(finishedAt('2026-01-01T10:00:00Z')));
    expect(await archive.keep('MigrationCampaign', finished, build)).toBe(join(dir, 'lab', 'kept.campaign.results.json.gz'));
    expect(await new ResultsArchive(dir, log).keep('MigrationCampaign', finished, build)).toBeUndefined();
    expect(builds).toBe(1);
    expect((await readdir(join(dir, 'lab'))).sort()).toEqual(['kept.campaign.results.json.gz', 'kept.results.json.gz']);
    const kept = await archive.read('lab', 'kept', 'MigrationCampaign');
    expect(kept?.kind === 'MigrationCampaign' && kept.campaign.metadata.uid).toBe('c-1');
  });

  it('when a name that is no Kubernetes name is read (from a report URL), then nothing outside the volume is looked at', async () => {
    const archive = new ResultsArchive(await mkdtemp(join(tmpdir(), 'migrascope-archive-')), log);
    expect(await archive.read('..', 'etc', 'MigrationExperiment')).toBeUndefined();
    expect(await archive.read('lab', '../../x', 'MigrationExperiment')).toBeUndefined();
    expect(await archive.read('lab', 'absent', 'MigrationCampaign')).toBeUndefined();
  });
});
