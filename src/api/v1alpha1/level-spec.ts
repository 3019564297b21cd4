// One level's experiment spec: the campaign's template with the level's swept values put where
// they belong (the load, the migration schedule, the testbed's model inputs). The template's
// schedule stays whole; a swept count, spacing or offset replaces its count, spacing or first.

import type { SweepPoint } from './campaign-sweep.ts';
import type { ExperimentTemplateSpec, MigrationExperimentSpec } from './experiment-spec.ts';

export function levelSpec(template: ExperimentTemplateSpec, settings: SweepPoint, repetitions: number): MigrationExperimentSpec {
  const spec = structuredClone(template);
  const { users, rate, migrations: count, spacing, offset, vmMemory, linkBandwidth } = settings;
  const workload = { ...spec.workload };
  if (users !== undefined || rate !== undefined) {
    delete workload.users;
    delete workload.rate;
    if (users !== undefined) workload.users = Number(users);
    if (rate !== undefined) workload.rate = Number(rate);
  }
  let migrations = spec.migrations;
  if (migrations && (count !== undefined || spacing !== undefined || offset !== undefined)) {
    migrations = { ...migrations };
    if (count !== undefined) migrations.count = Number(count);
    if (spacing !== undefined) migrations.spacing = String(spacing);
    if (offset !== undefined) migrations.first = String(offset);
    // One migration has nothing to be spaced from (the schedule refuses a spacing then).
    if (migrations.count === 1) delete migrations.spacing;
  }
  const testbed = vmMemory === undefined && linkBandwidth === undefined ? spec.testbed : {
    ...spec.testbed,
    ...(vmMemory === undefined ? {} : { vmMemory: String(vmMemory) }),
    ...(linkBandwidth === undefined ? {} : { linkBandwidth: String(linkBandwidth) }),
  };
  return { ...spec, workload, ...(migrations ? { migrations } : {}), ...(testbed ? { testbed } : {}), repetitions };
}
