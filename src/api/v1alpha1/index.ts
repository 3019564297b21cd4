// migrascope.io/v1alpha1: the resource types, their defaults and validation.

export { API_VERSION, GROUP, VERSION } from './group.ts';
export { DURATION_PATTERN, Duration, PositiveDuration, durationMs } from './duration.ts';
export {
  CONDITION_REASON_PATTERN,
  CONDITION_TYPE_PATTERN,
  CONDITION_TYPES,
  Condition,
  Conditions,
  findCondition,
  setCondition,
  setKstatusConditions,
  type ConditionUpdate,
  type KstatusState,
} from './condition.ts';
export { CLOUDSTONE_THRESHOLDS, OLIO_ACTIONS, OlioAction } from './olio-actions.ts';
export { Sla, judgedThresholds } from './sla.ts';
export { ThinkTime, TemplateWorkload, WORKLOAD_PROFILES, Workload, profileLabel } from './workload.ts';
export {
  WorkloadProfileResource,
  WorkloadProfileSpec,
  WorkloadProfileStatus,
  chainOf,
  compileWorkloadProfile,
  parseWorkloadProfile,
  profileDocumentOf,
  type WorkloadProfile,
  type WorkloadProfileManifest,
} from './workload-profile.ts';
export { DESTINATION_POLICIES, Destination, MAX_MIGRATIONS, Migrations, migrationOffsetsMs, scheduledMigrations, vmIdentifier, type ScheduledMigration } from './migrations.ts';
export { ObjectMeta } from './object-meta.ts';
export { HttpUrl, OBJECT_NAME_PATTERN, ObjectName, VmSelector } from './references.ts';
export { Baseline } from './experiment-spec.ts';
export { Abort, ExperimentTemplateSpec, MigrationExperimentSpec, Recording, Target } from './experiment-spec.ts';
export {
  ActionRecovery,
  ActionResult,
  ActionSummary,
  MigrationRecovery,
  MigrationResult,
  PercentileResult,
  PercentileSummary,
  LoadGap,
  PercentileVerdict,
  RedisOutage,
  RunResult,
  RunSummary,
  Verdict,
  worstVerdict,
  worstP99VsSla,
} from './results.ts';
export { BaselineAction, BaselinePercentile, BaselineResult } from './results.ts';
export {
  EXPERIMENT_PHASES,
  ExperimentPhase,
  MigrationExperimentResource,
  MigrationExperimentStatus,
  TERMINAL_EXPERIMENT_PHASES,
  parseExperiment,
  type MigrationExperiment,
  type MigrationExperimentManifest,
} from './migration-experiment.ts';
export {
  CAMPAIGN_PHASES,
  CampaignLevel,
  CampaignPhase,
  LevelSettings,
  MAX_BRIEF_LENGTH,
  MAX_CAMPAIGN_LEVELS,
  MigrationCampaignResource,
  MigrationCampaignSpec,
  MigrationCampaignStatus,
  Recommendation,
  UserSweep,
  campaignLevels,
  levelSettings,
  parseCampaign,
  type MigrationCampaign,
  type MigrationCampaignManifest,
} from './migration-campaign.ts';
export {
  ConcurrencyPolicy,
  MAX_SCHEDULE_HISTORY,
  MAX_SCHEDULE_NAME,
  MigrationScheduleResource,
  MigrationScheduleSpec,
  MigrationScheduleStatus,
  ScheduledCampaign,
  cronOf,
  parseSchedule,
  type MigrationSchedule,
  type MigrationScheduleManifest,
} from './migration-schedule.ts';
export { SCHEDULED_TIME_ANNOTATION, SCHEDULE_LABEL, scheduledCampaign, scheduledCampaignName } from './schedule-campaigns.ts';
export {
  CampaignSweep,
  MAX_SWEPT_FIELDS,
  SWEEP_FIELDS,
  SWEEP_FIELD_NAMES,
  describeLevel,
  describeValue,
  durationText,
  easierFirst,
  fieldNumber,
  fieldValues,
  levelSuffix,
  sweepAxes,
  sweepLevels,
  sweptFields,
  type LevelValue,
  type SweepField,
  type SweepPoint,
} from './campaign-sweep.ts';
export { levelSpec } from './level-spec.ts';
export { TestbedInputs, testbedModelInputs } from './testbed-inputs.ts';
export { CAMPAIGN_LABEL, USERS_LABEL, campaignExperiments, levelExperiment, levelExperimentName } from './campaign-experiments.ts';
export {
  XenHost,
  XenPoolResource,
  XenPoolSpec,
  XenPoolStatus,
  parseXenPool,
  type XenPool,
  type XenPoolManifest,
} from './xenpool.ts';
export { KINDS, isMigrascopeObject, parseResource, type MigrascopeKind, type MigrascopeResource } from './resource.ts';
export { fieldPath, parseWith } from './parse.ts';
