// The load driver: closed-loop users walking a profile's Markov chain with think times (Faban's
// model), or open-loop arrivals at a target rate; ramp-up, steady state, ramp-down; undici
// keep-alive pools; an active downtime probe. Results are ActionOutcomes for src/recording.
export { runLoad, type LoadOptions, type LoadProgress, type LoadResult, type PhaseCounts, type ProbeReport } from './run.ts';
export { parseRate, ArrivalSchedule, type RateStep } from './arrival-schedule.ts';
export { Timeline, PHASES, type Phase, type RunPlan } from './timeline.ts';
export { DowntimeProbe, type Gap, type ProbeOptions } from './probe.ts';
export { ClosedLoop, type ClosedLoopOptions } from './closed-loop.ts';
export { OpenLoop, type OpenLoopOptions } from './open-loop.ts';
export { ActionRunner, type ActionPerformer, type ActionResult, type RequestTrace } from './action-runner.ts';
export { ActionFailure, ActionTimeout } from './exchange.ts';
export { SimulatedUser } from './user.ts';
export type { OutcomeSink } from './population.ts';
