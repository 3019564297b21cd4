// Migrascope's alerts, written once: scripts/sync-chart.ts renders them as the Prometheus rule
// file (deploy/prometheus, and through it the chart's PrometheusRule) and as Grafana-managed alert
// provisioning (deploy/grafana/provisioning/alerting); test/integration/deploy-sync.test.ts fails
// when either copy is stale.
//
// Severity says what the alert means to the person paged, not how bad the number is:
// - an SLA breach or a long downtime inside an experiment is what the experiment measures (a
//   capacity campaign breaks levels on purpose): `info` for the strict p99, `warning` otherwise;
// - the operator down, or live migrations failing: `critical`, Migrascope itself is broken;
// - an experiment failed, reconcile errors, a backlog: `warning`, someone should look today.
// `for:` is set where the expression can flap (a gauge hovering at its threshold, a scrape that
// fails once); counters of events fire at once.

/** Where docs/runbooks.md is published; each alert links its own section. */
export const RUNBOOK_URL = 'https://github.com/migrascope/migrascope/blob/main/docs/runbooks.md';

export type Severity = 'critical' | 'warning' | 'info';

export interface AlertRule {
  alert: string;
  expr: string;
  /** How long the expression must hold before the alert fires (Prometheus duration). */
  for?: string;
  /** A severity, or a Prometheus label template choosing one. */
  severity: Severity | string;
  summary: string;
  description: string;
}

export interface AlertGroup {
  name: string;
  rules: AlertRule[];
}

/**
 * Counter `selector` rose in the last `range`, or its series appeared within `range` already
 * above zero: a labelled counter's first sample is often its first event (1, not 0), which
 * increase() cannot see, so a one-migration experiment would never alert without the second arm.
 */
export function roseOrAppeared(selector: string, range: string, by: string): string {
  return `sum by (${by}) (increase(${selector}[${range}])) > 0\nor\nsum by (${by}) (${selector} unless ${selector} offset ${range}) > 0`;
}

const EXPERIMENT = 'namespace, experiment';
const DOWNTIME_COUNT = 'migrascope_migration_downtime_seconds_count{source="client"}';
// Prometheus 3 writes le="5.0" where Prometheus 2 keeps the exposition's le="5".
const DOWNTIME_UNDER_5S = 'migrascope_migration_downtime_seconds_bucket{source="client",le=~"5|5\\\\.0"}';
const CONTROLLER_UP = 'up{job=~".*migrascope.*-controller-metrics"}';
const WORKER_UP = 'up{job=~".*migrascope.*-worker-metrics"}';

export const ALERT_GROUPS: readonly AlertGroup[] = [
  {
    name: 'migrascope-experiments',
    rules: [
      {
        alert: 'MigrascopeSlaViolated',
        // The latest window hovers around its threshold as it slides: a minute filters that out.
        expr: 'max by (namespace, experiment, action, percentile) (migrascope_sla_violating) == 1',
        for: '1m',
        severity: '{{ if eq $labels.percentile "99" }}info{{ else }}warning{{ end }}',
        summary: 'SLA broken: {{ $labels.action }} p{{ $labels.percentile }} in {{ $labels.namespace }}/{{ $labels.experiment }}',
        description:
          'The p{{ $labels.percentile }} response time of {{ $labels.action }} over the latest SLA window is above its threshold. ' +
          'See `kubectl describe mexp -n {{ $labels.namespace }} {{ $labels.experiment }}` and the experiment report.',
      },
      {
        alert: 'MigrascopeMigrationDowntimeHigh',
        // Clients saw more than 5 s without an answer during a migration (the study saw 3 s).
        // Migrations counted minus those within 5 s: the increase, or the values of series that
        // appeared in the window (see roseOrAppeared).
        expr:
          `(sum by (${EXPERIMENT}) (increase(${DOWNTIME_COUNT}[10m]))\n - sum by (${EXPERIMENT}) (increase(${DOWNTIME_UNDER_5S}[10m]))) > 0\n` +
          `or\n(sum by (${EXPERIMENT}) (${DOWNTIME_COUNT} unless ${DOWNTIME_COUNT} offset 10m)\n` +
          ` - sum by (${EXPERIMENT}) (${DOWNTIME_UNDER_5S} unless ${DOWNTIME_UNDER_5S} offset 10m)) > 0`,
        severity: 'warning',
        summary: 'Migration downtime above 5 s in {{ $labels.namespace }}/{{ $labels.experiment }}',
        description:
          'At least one live migration in the last 10 minutes left clients without an answer for more than 5 s. ' +
          'See `kubectl describe mexp -n {{ $labels.namespace }} {{ $labels.experiment }}` (status.runs[].migrations[].downtimeSeconds).',
      },
      {
        alert: 'MigrascopeExperimentFailed',
        // max_over_time keeps it visible for 15 minutes after the experiment's series are removed.
        expr: 'max by (namespace, experiment) (max_over_time(migrascope_experiment_phase{phase="Failed"}[15m])) == 1',
        severity: 'warning',
        summary: 'Experiment {{ $labels.namespace }}/{{ $labels.experiment }} failed',
        description:
          "The experiment's Stalled condition says why: `kubectl describe mexp -n {{ $labels.namespace }} {{ $labels.experiment }}`.",
      },
    ],
  },
  {
    name: 'migrascope-operator',
    rules: [
      {
        alert: 'MigrascopeMigrationsFailing',
        expr: roseOrAppeared('migrascope_migrations_total{result="failed"}', '15m', EXPERIMENT),
        severity: 'critical',
        summary: 'Live migrations failed in {{ $labels.namespace }}/{{ $labels.experiment }}',
        description:
          "XAPI refused or aborted a live migration in the last 15 minutes; the experiment's status names the reason: " +
          '`kubectl describe mexp -n {{ $labels.namespace }} {{ $labels.experiment }}`.',
      },
      {
        alert: 'MigrascopeControllerDown',
        // One failed scrape is not an outage: five minutes is.
        expr: `absent(${CONTROLLER_UP} == 1)`,
        for: '5m',
        severity: 'critical',
        summary: 'No Migrascope controller is up',
        description:
          'Prometheus has scraped no Migrascope controller for 5 minutes: experiments and campaigns are not reconciled. ' +
          'Check the controller pods (`kubectl get pods -l app.kubernetes.io/component=controller -A`) and that Prometheus selects the ServiceMonitor.',
      },
      {
        alert: 'MigrascopeWorkersDown',
        expr: `absent(${WORKER_UP} == 1)`,
        for: '5m',
        severity: 'critical',
        summary: 'No Migrascope worker is up',
        description:
          'Prometheus has scraped no Migrascope worker for 5 minutes: no load is driven and no migration runs. ' +
          'Check the worker pods (`kubectl get pods -l app.kubernetes.io/component=worker -A`) and their Redis.',
      },
      {
        alert: 'MigrascopeReconcileErrors',
        expr: 'sum by (namespace, controller) (rate(controller_runtime_reconcile_errors_total[5m])) > 0.1',
        for: '10m',
        severity: 'warning',
        summary: 'The {{ $labels.controller }} controller keeps failing to reconcile',
        description: "Reconcile errors for 10 minutes; the controller's logs say which object and why.",
      },
      {
        alert: 'MigrascopeWorkqueueBacklog',
        expr: 'max by (namespace, name) (workqueue_depth) > 50',
        for: '15m',
        severity: 'warning',
        summary: 'Work queue {{ $labels.name }} is not draining',
        description: 'More than 50 keys have waited for 15 minutes; workers are stuck or too few.',
      },
    ],
  },
];

/** The docs/runbooks.md section of an alert (GitHub's anchor: the heading in lower case). */
export function runbookUrl(alert: string): string {
  return `${RUNBOOK_URL}#${alert.toLowerCase()}`;
}
