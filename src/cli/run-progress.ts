// What a person watching `migrascope run` sees while it works: on a terminal a progress bar per
// experiment (run, phase, time left in the run); elsewhere one log line per phase change. Events
// (migration ends, SLA violations) are logged either way.
import cliProgress from 'cli-progress';
import { durationMs, type MigrationExperiment } from '../api/v1alpha1/index.ts';
import type { ExperimentObserver } from '../engine/experiment-runner.ts';
import { BASELINE_RUN } from '../engine/run-numbers.ts';
import { logger } from '../log/index.ts';
import type { ExperimentRecord } from './run-summary.ts';

export class RunProgress {
  readonly #bars: cliProgress.MultiBar | undefined;

  constructor(onTerminal: boolean) {
    this.#bars = onTerminal
      ? new cliProgress.MultiBar(
          { format: ' {name} | run {run} | {phase} | {bar} | {percentage}% | {remaining} left', hideCursor: true, clearOnComplete: false, stopOnComplete: false },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  }

  observer(experiment: MigrationExperiment, record: ExperimentRecord): ExperimentObserver {
    const name = experiment.metadata.name;
    const log = logger().child({ experiment: name });
    const bar = this.#bars?.create(100, 0, { name, run: '-', phase: 'Pending', remaining: '?' });
    let window: { start: number; end: number } | undefined;
    const timer = bar
      ? setInterval(() => {
          if (!window) return;
          const done = Math.min(1, Math.max(0, (Date.now() - window.start) / (window.end - window.start)));
          bar.update(Math.round(done * 100), { remaining: `${Math.max(0, Math.round((window.end - Date.now()) / 1000))}s` });
        }, 500)
      : undefined;
    timer?.unref();
    return {
      onStatus: (status) => {
        record.status = status;
        const current = [...(status.runs ?? []), ...(status.baseline ? [status.baseline.run] : [])].find((run) => run.state === 'Running');
        if (current?.startTime) {
          const spec = experiment.spec.workload;
          const start = Date.parse(current.startTime);
          window = { start, end: start + durationMs(spec.rampUp) + durationMs(spec.steadyState) + durationMs(spec.rampDown) };
        }
        const run = status.currentRun === BASELINE_RUN ? 'baseline' : `${status.currentRun ?? '-'}/${experiment.spec.repetitions}`;
        bar?.update({ run, phase: status.phase ?? '' });
        if (status.phase === 'Succeeded' || status.phase === 'Failed' || status.phase === 'Aborted') {
          if (timer) clearInterval(timer);
          bar?.update(100, { phase: status.phase, remaining: '0s' });
        }
      },
      onEvent: (event) => {
        const line = `${event.reason}: ${event.message}`;
        if (this.#bars) this.#bars.log(`${name}: ${line}\n`);
        else if (event.type === 'Warning') log.warn(line);
        else log.info(line);
      },
      onRunFinished: (result, outcome, plan) => {
        if (plan.run === BASELINE_RUN) record.baseline = { result, outcome, plan };
        else record.runs.push({ result, outcome, plan });
      },
    };
  }

  stop(): void {
    this.#bars?.stop();
  }
}

