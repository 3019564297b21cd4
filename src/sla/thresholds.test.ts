import { describe, expect, it } from 'vitest';
import { CLOUDSTONE_THRESHOLDS_MS, percentilesFrom, slaSpecFrom, thresholdsForActions } from './thresholds.ts';
import { refusalOf } from '../invalid/testing.ts';

const refusal = (run: () => unknown) => refusalOf(run);

describe('Given the Cloudstone SLA', () => {
  it('Then it is the study’s thresholds, in ms', () => {
    expect(CLOUDSTONE_THRESHOLDS_MS).toEqual({
      HomePage: 1000,
      Login: 1000,
      TagSearch: 2000,
      EventDetail: 2000,
      PersonDetail: 2000,
      AddPerson: 3000,
      AddEvent: 4000,
    });
  });
});

describe('Given an SLA document', () => {
  it('When complete, Then durations become ms and percentiles a sorted list', () => {
    expect(slaSpecFrom({ thresholds: { HomePage: '1s', Login: '750ms' }, window: '1m', step: '5s', percentiles: [99, 90] }, 'sla.yaml')).toEqual({
      thresholds: { HomePage: 1000, Login: 750 },
      window: 60_000,
      step: 5000,
      percentiles: [90, 99],
    });
  });

  it('When only thresholds are given, Then the rest is left to the defaults', () => {
    expect(slaSpecFrom({ thresholds: { A: '2s' } }, 'sla.yaml')).toEqual({ thresholds: { A: 2000 } });
  });

  it.each([
    [null, 'sla.yaml'],
    [{ thresholds: { A: '2 parsecs' } }, 'sla.yaml: thresholds.A'],
    [{ thresholds: { A: true } }, 'sla.yaml: thresholds.A'],
    [{ thresholds: {} }, 'sla.yaml: thresholds'],
    [{ thresholds: { A: '1s' }, step: '250ms' }, 'sla.yaml: step'],
    [{ thresholds: { A: '1s' }, windows: '5m' }, 'sla.yaml: windows'],
  ])('When it is %j, Then it is refused naming %s', (document, field) => {
    expect(refusal(() => slaSpecFrom(document, 'sla.yaml')).field).toBe(field);
  });
});

describe('Given percentiles as text', () => {
  it('Then "90, 99,99.9" reads as [90, 99, 99.9] and out-of-range ones are refused', () => {
    expect(percentilesFrom('--percentiles', '90, 99,99.9')).toEqual([90, 99, 99.9]);
    expect(refusal(() => percentilesFrom('--percentiles', '0')).field).toBe('--percentiles');
    expect(refusal(() => percentilesFrom('--percentiles', '90,')).field).toBe('--percentiles');
  });
});

describe('Given the actions of a workload', () => {
  const wiki = ['ViewPage', 'Search', 'EditPage'];
  const olio = Object.keys(CLOUDSTONE_THRESHOLDS_MS);

  it('When it is Olio and nothing is given, Then its own thresholds (Cloudstone) judge every action', () => {
    expect(thresholdsForActions(olio, { workload: 'olio', spec: {}, source: '--sla', builtIn: CLOUDSTONE_THRESHOLDS_MS })).toEqual({ thresholds: CLOUDSTONE_THRESHOLDS_MS, unjudged: [] });
  });

  it('When it is a custom one and nothing is given, Then no action is judged, each is listed', () => {
    expect(thresholdsForActions(wiki, { workload: 'dokuwiki', spec: {}, source: '--sla' })).toEqual({ thresholds: {}, unjudged: wiki });
  });

  it('When a file gives some thresholds and a default, Then the default covers the rest; the flag wins over the file', () => {
    const spec = { thresholds: { EditPage: 3000 }, defaultThreshold: 2000 };
    expect(thresholdsForActions(wiki, { workload: 'dokuwiki', spec, source: 'sla.yaml' }).thresholds).toEqual({ ViewPage: 2000, Search: 2000, EditPage: 3000 });
    expect(thresholdsForActions(wiki, { workload: 'dokuwiki', spec, source: 'sla.yaml', defaultThreshold: 500 }).thresholds).toEqual({ ViewPage: 500, Search: 500, EditPage: 3000 });
  });

  it('When a file names an action the workload lacks, Then it is refused naming the action and listing the workload\'s', () => {
    const error = refusal(() => thresholdsForActions(wiki, { workload: 'dokuwiki', spec: { thresholds: { HomePage: 1000 } }, source: 'sla.yaml' }));
    expect(error.field).toBe('sla.yaml: thresholds.HomePage');
    expect(error.message).toContain('the dokuwiki profile has no action "HomePage"; its actions are ViewPage, Search, EditPage');
  });

  it('When a file gives defaultThreshold, Then it is read as a duration, and a bad one is refused naming it', () => {
    expect(slaSpecFrom({ defaultThreshold: '2s' }, 'sla.yaml')).toEqual({ defaultThreshold: 2000 });
    expect(refusal(() => slaSpecFrom({ defaultThreshold: 'soon' }, 'sla.yaml')).field).toBe('sla.yaml: defaultThreshold');
  });
});
