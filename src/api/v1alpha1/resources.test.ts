import { describe, expect, it } from 'vitest';
import { INVALID_CASES, PARSER_ONLY_CASES, VALID_CASES, campaign, experiment, withField, xenPool } from '../testing/cases.ts';
import {
  campaignExperiments,
  campaignLevels,
  levelExperimentName,
  migrationOffsetsMs,
  parseCampaign,
  parseExperiment,
  parseResource,
  parseXenPool,
  worstP99VsSla,
} from './index.ts';
import { refusalOf } from '../../invalid/testing.ts';

const refusal = (action: () => unknown) => refusalOf(action);

describe('Given a minimal experiment (pool, VM, URL, users, one offset)', () => {
  const parsed = parseExperiment(experiment());

  describe('When it is parsed', () => {
    it("Then the workload defaults are filled in (one driver, 1m ramp-up, 30s ramp-down); the profile (olio) and its think time are left to the engine", () => {
      expect(parsed.spec.workload).toEqual({
        drivers: 1,
        rampUp: '1m',
        steadyState: '10m',
        rampDown: '30s',
        users: 600,
      });
    });

    it("Then the SLA is Cloudstone's: 5-minute windows sliding by 1s, p90 and p99; the thresholds follow the profile's actions when it runs", () => {
      expect(parsed.spec.sla).toEqual({ window: '5m', step: '1s', percentiles: [90, 99], thresholds: {} });
    });

    it('Then the migration goes round robin with a 15m timeout, one run, no abort, no request log', () => {
      expect(parsed.spec.migrations).toEqual({ offsets: ['5m'], destination: { policy: 'roundRobin' }, timeout: '15m' });
      expect(parsed.spec.repetitions).toBe(1);
      expect(parsed.spec.pauseBetweenRuns).toBe('30s');
      expect(parsed.spec.abort).toEqual({ onViolation: 'none' });
      expect(parsed.spec.record).toEqual({ requestLog: false });
      expect(parsed.spec.ttlSecondsAfterFinished).toBeUndefined();
    });
  });

  describe('When it names thresholds for some actions only', () => {
    it('Then it keeps them as given (the engine adds the Cloudstone threshold of the others)', () => {
      const some = parseExperiment(withField(experiment(), 'spec.sla.thresholds', { HomePage: '1500ms' }));
      expect(some.spec.sla.thresholds).toEqual({ HomePage: '1500ms' });
    });
  });

  describe('When a field is misspelt', () => {
    it('Then the parser refuses it at the misspelt key instead of ignoring it', () => {
      const error = refusal(() => parseExperiment(withField(experiment(), 'spec.abort', { onViolaton: 'p99' })));
      expect(error.field).toBe('spec.abort.onViolaton');
      expect(error.message).toContain('unknown field');
    });
  });
});

describe('Given the valid cases', () => {
  for (const { name, object } of VALID_CASES) {
    it(`Then ${name} is accepted`, () => {
      expect(() => parseResource(object)).not.toThrow();
    });
  }
});

describe('Given the invalid cases', () => {
  for (const { name, object, field, message } of [...INVALID_CASES, ...PARSER_ONLY_CASES]) {
    describe(`When ${name} is parsed`, () => {
      it(`Then it is refused naming ${field}`, () => {
        const error = refusal(() => parseResource(object));
        expect(error.field).toBe(field);
        expect(error.message).toContain(message);
      });
    });
  }
});

describe('Given a document that is not one of ours', () => {
  it('Then a Secret is refused naming apiVersion', () => {
    expect(refusal(() => parseResource({ apiVersion: 'v1', kind: 'Secret' })).field).toBe('apiVersion');
  });
  it('Then an unknown kind of our group is refused naming kind', () => {
    expect(refusal(() => parseResource({ apiVersion: 'migrascope.io/v1alpha1', kind: 'Nope' })).field).toBe('kind');
  });
  it('Then parsing an experiment as a campaign names kind', () => {
    expect(refusal(() => parseCampaign(experiment())).field).toBe('kind');
  });
  it.each(['a b', '../../etc', 'x/y', 'uid:1', '', 'é', 'a'.repeat(129)])('Then an experiment whose metadata.uid is %j is refused naming metadata.uid, when parsed', (uid) => {
    const error = refusal(() => parseExperiment(withField(experiment(), 'metadata.uid', uid)));
    expect(error.field).toBe('metadata.uid');
    expect(error.message).not.toMatch(/ZodError|\n {4}at /);
  });
  it('Then a campaign whose metadata.uid has a slash is refused naming metadata.uid', () => {
    expect(refusal(() => parseCampaign(withField(campaign(), 'metadata.uid', 'a/b'))).field).toBe('metadata.uid');
  });
  it("Then a Kubernetes uid (a UUID) is accepted", () => {
    expect(parseExperiment(withField(experiment(), 'metadata.uid', '0b6c8a4e-1f2d-4c3b-9a8e-7d6f5e4c3b2a')).metadata.uid).toBe('0b6c8a4e-1f2d-4c3b-9a8e-7d6f5e4c3b2a');
  });
  it('Then a pool without a name is refused naming metadata.name', () => {
    expect(refusal(() => parseXenPool(withField(xenPool(), 'metadata.name', undefined))).field).toBe('metadata.name');
  });
});

describe('Given a migration schedule', () => {
  it('Then offsets are returned in milliseconds, earliest first', () => {
    const spec = parseExperiment(withField(experiment(), 'spec.migrations.offsets', ['7m', '1m30s'])).spec;
    expect(migrationOffsetsMs(spec.migrations)).toEqual([90_000, 420_000]);
  });
  it('Then count, first and spacing give evenly spaced offsets', () => {
    const spec = parseExperiment(withField(experiment(), 'spec.migrations', { count: 3, first: '2m', spacing: '90s' })).spec;
    expect(migrationOffsetsMs(spec.migrations)).toEqual([120_000, 210_000, 300_000]);
  });
  it('Then no migrations give no offsets', () => {
    expect(migrationOffsetsMs(undefined)).toEqual([]);
  });
});

describe('Given a campaign over 100..500 users by 100', () => {
  const parsed = parseCampaign({ ...campaign(), metadata: { name: 'safe-load', namespace: 'lab', uid: 'u-1' } });

  it('Then its levels are 100, 200, 300, 400, 500', () => {
    expect(campaignLevels(parsed.spec.sweep.users!)).toEqual([100, 200, 300, 400, 500]);
  });

  it('Then a sweep whose steps miss `to` stops below it', () => {
    expect(campaignLevels({ from: 100, to: 450, step: 100 })).toEqual([100, 200, 300, 400]);
  });

  describe('When its experiments are made', () => {
    const children = campaignExperiments(parsed);

    it('Then there is one per level, named deterministically, owned by the campaign', () => {
      expect(children.map((c) => c.metadata.name)).toEqual(['safe-load-100u', 'safe-load-200u', 'safe-load-300u', 'safe-load-400u', 'safe-load-500u']);
      const first = children[0]!;
      expect(first.metadata.namespace).toBe('lab');
      expect(first.metadata.ownerReferences).toEqual([
        { apiVersion: 'migrascope.io/v1alpha1', kind: 'MigrationCampaign', name: 'safe-load', uid: 'u-1', controller: true, blockOwnerDeletion: true },
      ]);
      expect(first.metadata.labels).toEqual({ 'migrascope.io/campaign': 'safe-load', 'migrascope.io/users': '100' });
    });

    it('Then each carries the template with its users and the campaign repetitions', () => {
      const last = children[4]!;
      expect(last.spec.workload.users).toBe(500);
      expect(last.spec.repetitions).toBe(parsed.spec.repetitions);
      expect(last.spec.migrations).toEqual(parsed.spec.template.spec.migrations);
    });

    it("Then a template's profileRef, params and SLA defaults reach every level", () => {
      const onProfile = parseCampaign(
        withField(withField(withField(campaign(), 'metadata', { name: 'shop', namespace: 'lab', uid: 'u-2' }), 'spec.template.spec.workload.profileRef', { name: 'shop' }), 'spec.template.spec.sla.defaultThreshold', '2s'),
      );
      const levels = campaignExperiments(onProfile);
      expect(levels.every((level) => level.spec.workload.profileRef?.name === 'shop' && level.spec.sla.defaultThreshold === '2s')).toBe(true);
    });
  });

  it('Then a long campaign name is shortened so the experiment name stays valid', () => {
    const name = levelExperimentName('a'.repeat(253), 600);
    expect(name).toHaveLength(253);
    expect(name.endsWith('-600u')).toBe(true);
  });
});

describe('Given action summaries', () => {
  const action = (name: string, p99: number | undefined, threshold: number) => ({
    action: name,
    count: 1,
    errors: 0,
    thresholdSeconds: threshold,
    percentiles: p99 === undefined ? [] : [{ percentile: 99, worstMaxSeconds: p99, violations: 0, verdict: 'Pass' as const }],
    verdict: 'Pass' as const,
  });

  it('Then the Worst p99 column shows the action with the highest p99 relative to its threshold', () => {
    expect(worstP99VsSla([action('HomePage', 0.9, 1), action('AddEvent', 3.2, 4), action('TagSearch', 2.5, 2)])).toBe('TagSearch 2.5s/2s');
  });

  it('Then it is empty when no action has a p99', () => {
    expect(worstP99VsSla([action('HomePage', undefined, 1)])).toBeUndefined();
  });
});
