// The Grafana dashboard, built with the Grafana Foundation SDK: its builders carry Grafana's own
// schema, so a panel with a misspelt option does not compile. `npm run crds` writes it to
// deploy/grafana/dashboards/migrascope.json (scripts/generate-dashboard.ts); the chart copies that
// file (scripts/sync-chart.ts); src/metrics/dashboard.test.ts fails when the committed JSON is stale
// and test/integration/dashboard-prometheus.test.ts runs every query against a real run.
//
// Time series use $__rate_interval (Grafana's rate window: at least four scrapes), never $__range:
// a time series over $__range would draw each point as the whole range's increase.
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  TextBoxVariableBuilder,
  VariableRefresh,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

export const DASHBOARD_FILE = 'deploy/grafana/dashboards/migrascope.json';

const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
/** The experiment selector every experiment query carries. */
const SELECTED = 'namespace=~"$namespace",experiment=~"$experiment"';
/** Where the controller's reports are reached from the browser (kubectl port-forward by default). */
export const REPORTS_VARIABLE = 'reports';
export const DEFAULT_REPORTS_URL = 'http://localhost:8080';

/** One query of a panel: its PromQL and the legend Grafana draws for each series. */
export interface PanelQuery {
  expr: string;
  legend: string;
}

/** A time series panel as this dashboard describes it before the SDK builds it. */
export interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  queries: PanelQuery[];
  /** Query refIds ("B") drawn as a dashed line: thresholds. */
  dashed?: string[];
  /** Fixed 0..max axis (e.g. 1 for a ratio). */
  max?: number;
  /** A data link per series to the experiment's report (series carry namespace and experiment). */
  reportLink?: boolean;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

const sel = (metric: string, extra = ''): string => `${metric}{${SELECTED}${extra ? `,${extra}` : ''}}`;
const rate = (metric: string, extra = ''): string => `rate(${sel(metric, extra)}[$__rate_interval])`;

/** The panels, by row: what an operator watching an experiment reads. */
export const ROWS: RowSpec[] = [
  {
    title: 'SLA',
    panels: [
      {
        title: 'Windowed response time vs SLA threshold',
        description: "Per action, the p90/p99 response time over the latest sliding SLA window (5 minutes by default); the dashed lines are the actions' thresholds.",
        unit: 's',
        queries: [
          { expr: sel('migrascope_sla_window_response_time_seconds'), legend: '{{action}} p{{percentile}}' },
          { expr: sel('migrascope_sla_threshold_seconds'), legend: '{{action}} threshold' },
        ],
        dashed: ['B'],
      },
      {
        title: 'Actions breaking the SLA',
        description: '1 while the latest window of an action breaks its threshold at that percentile.',
        unit: 'bool',
        queries: [{ expr: `max by (action, percentile) (${sel('migrascope_sla_violating')})`, legend: '{{action}} p{{percentile}}' }],
      },
      {
        title: 'Violating windows',
        description: 'SLA windows closed in violation, per rate interval.',
        unit: 'short',
        queries: [{ expr: `sum by (action, percentile) (increase(${sel('migrascope_sla_violating_windows_total')}[$__rate_interval]))`, legend: '{{action}} p{{percentile}}' }],
      },
      {
        title: 'Actions per second',
        description: 'Steady-state user actions completed per second, and the failed ones.',
        unit: 'reqps',
        queries: [
          { expr: `sum by (action) (${rate('migrascope_actions_total', 'result="ok"')})`, legend: '{{action}}' },
          { expr: `sum by (action) (${rate('migrascope_actions_total', 'result="error"')})`, legend: '{{action}} errors' },
        ],
      },
    ],
  },
  {
    title: 'Migrations',
    panels: [
      {
        title: 'Migrations in flight',
        description: 'Live migrations asked of XAPI whose end is not known yet.',
        unit: 'short',
        queries: [{ expr: `sum by (namespace, experiment) (${sel('migrascope_migrations_in_running_phase')})`, legend: '{{namespace}}/{{experiment}}' }],
      },
      {
        title: 'Migration progress',
        description: "Progress of the XAPI task of the migration under way (0 to 1), as the worker following it reads it.",
        unit: 'percentunit',
        max: 1,
        queries: [{ expr: `max by (namespace, experiment) (${sel('migrascope_migration_progress_ratio')})`, legend: '{{namespace}}/{{experiment}}' }],
      },
      {
        title: 'Migration time',
        description: 'From VM.pool_migrate to the end of the XAPI task: p99 and mean of the migrations that ended in the rate interval.',
        unit: 's',
        queries: [
          { expr: `histogram_quantile(0.99, sum by (le) (${rate('migrascope_migration_duration_seconds_bucket')}))`, legend: 'p99' },
          { expr: `sum(${rate('migrascope_migration_duration_seconds_sum')}) / sum(${rate('migrascope_migration_duration_seconds_count')})`, legend: 'mean' },
        ],
      },
      {
        title: 'Downtime seen by clients vs model',
        description: 'Mean downtime of the migrations that ended in the rate interval: the gap the clients saw (source="client") and the pre-copy model\'s prediction (source="model", simulated pools only).',
        unit: 's',
        queries: [
          {
            expr: `sum by (source) (${rate('migrascope_migration_downtime_seconds_sum')}) / sum by (source) (${rate('migrascope_migration_downtime_seconds_count')})`,
            legend: '{{source}}',
          },
        ],
      },
      {
        title: 'Recovery time',
        description: "From the end of a migration's stop-and-copy until every action's per-second p90 response time is back within 10 % of its pre-migration level (observed when the run is analysed): mean over the rate interval.",
        unit: 's',
        queries: [{ expr: `sum(${rate('migrascope_migration_recovery_seconds_sum')}) / sum(${rate('migrascope_migration_recovery_seconds_count')})`, legend: 'mean' }],
      },
      {
        title: 'Recovery per action',
        description:
          "Per action, the mean over the experiment's migrations of the time from the end of stop-and-copy until the action was back: its per-second p90 within 10 % of before (p90), its SLA windows under threshold (sla). The action slowest to recover is the one users of the app feel longest.",
        unit: 's',
        queries: [
          {
            expr: `max by (action, measure) (${sel('migrascope_migration_action_recovery_seconds_sum')} / ${sel('migrascope_migration_action_recovery_seconds_count')})`,
            legend: '{{action}} {{measure}}',
          },
        ],
      },
      {
        title: 'Cost over the baseline run',
        description:
          "With spec.baseline: per action and percentile, the runs' mean highest windowed response time over that of the baseline run (the same load, no migration). 1 = the migrations cost nothing; 3 = three times the response time. Set when the experiment finishes.",
        unit: 'short',
        queries: [{ expr: `max by (action, percentile) (${sel('migrascope_baseline_slowdown_ratio')})`, legend: '{{action}} p{{percentile}}' }],
      },
      {
        title: 'Violating windows added by the migrations',
        description:
          "With spec.baseline: per action and percentile, the SLA windows per run that broke the threshold beyond those of the baseline run (the same load, no migration); 0 when the load alone explains them. Set when the experiment finishes.",
        unit: 'short',
        queries: [{ expr: `max by (action, percentile) (${sel('migrascope_baseline_extra_violating_windows')})`, legend: '{{action}} p{{percentile}}' }],
      },
      {
        title: 'Migrations by result',
        description: 'Live migrations ended per rate interval, succeeded or failed.',
        unit: 'short',
        queries: [{ expr: `sum by (result) (increase(${sel('migrascope_migrations_total')}[$__rate_interval]))`, legend: '{{result}}' }],
      },
      {
        title: 'Experiment phase',
        description: "Each experiment's current phase; click a series for the experiment's report.",
        unit: 'short',
        queries: [{ expr: `max by (namespace, experiment, phase) (${sel('migrascope_experiment_phase')}) == 1`, legend: '{{experiment}}: {{phase}}' }],
        reportLink: true,
      },
    ],
  },
  {
    title: 'Controller',
    panels: [
      {
        title: 'Reconciles per second',
        description: 'Reconciliations by controller and result, and the errors among them.',
        unit: 'ops',
        queries: [
          { expr: 'sum by (controller, result) (rate(controller_runtime_reconcile_total[$__rate_interval]))', legend: '{{controller}} {{result}}' },
          { expr: 'sum by (controller) (rate(controller_runtime_reconcile_errors_total[$__rate_interval]))', legend: '{{controller}} errors' },
        ],
      },
      {
        title: 'Reconcile time p99 and queue',
        description: 'How long a reconcile takes, and how long a key waits in the work queue before one starts.',
        unit: 's',
        queries: [
          { expr: 'histogram_quantile(0.99, sum by (controller, le) (rate(controller_runtime_reconcile_time_seconds_bucket[$__rate_interval])))', legend: '{{controller}} reconcile p99' },
          { expr: 'histogram_quantile(0.99, sum by (name, le) (rate(workqueue_queue_duration_seconds_bucket[$__rate_interval])))', legend: '{{name}} queue wait p99' },
        ],
      },
      {
        title: 'Work queue depth and active workers',
        description: 'Keys waiting per work queue, and reconciles under way per controller.',
        unit: 'short',
        queries: [
          { expr: 'sum by (name) (workqueue_depth)', legend: '{{name}} depth' },
          { expr: 'sum by (controller) (controller_runtime_active_workers)', legend: '{{controller}} workers' },
        ],
      },
    ],
  },
];

/** The experiment's report, as the controller serves it (see docs/deploy.md for the port-forward). */
export function reportUrl(namespace: string, experiment: string): string {
  return `\${${REPORTS_VARIABLE}}/reports/${namespace}/${experiment}`;
}

const WIDTH = 12;
const HEIGHT = 8;

export function buildDashboard(): Dashboard {
  const builder = new DashboardBuilder('Migrascope: live migration cost')
    .uid('migrascope')
    .tags(['migrascope'])
    .timezone('browser')
    .refresh('10s')
    .time({ from: 'now-1h', to: 'now' })
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(experimentVariable('namespace', 'label_values(migrascope_experiment_phase, namespace)'))
    .withVariable(experimentVariable('experiment', 'label_values(migrascope_experiment_phase{namespace=~"$namespace"}, experiment)'))
    .withVariable(
      new TextBoxVariableBuilder(REPORTS_VARIABLE)
        .label('Reports at')
        .description("Where the browser reaches the controller's HTTP port (kubectl port-forward, an Ingress): the reports are under /reports/<namespace>/<name>")
        .defaultValue(DEFAULT_REPORTS_URL),
    )
    .link(
      new DashboardLinkBuilder('Experiment report')
        .type(DashboardLinkType.Link)
        .icon('doc')
        .tooltip("The selected experiment's HTML report, served by the controller")
        .url(reportUrl('${namespace}', '${experiment}'))
        .targetBlank(true),
    )
    .annotation(
      new AnnotationQueryBuilder()
        .name('Migrations')
        .datasource(DATASOURCE)
        .enable(true)
        .iconColor('orange')
        .expr(`max by (experiment) (${sel('migrascope_experiment_phase', 'phase="Migrating"')}) == 1`)
        .titleFormat('migrating {{experiment}}')
        .step('10s'),
    );
  let y = 0;
  let id = 0;
  for (const row of ROWS) {
    builder.withRow(new RowBuilder(row.title).id(++id).gridPos({ h: 1, w: 24, x: 0, y }));
    y += 1;
    row.panels.forEach((panel, index) => {
      builder.withPanel(panelBuilder(panel).id(++id).gridPos({ h: HEIGHT, w: WIDTH, x: (index % 2) * WIDTH, y: y + Math.floor(index / 2) * HEIGHT }));
    });
    y += Math.ceil(row.panels.length / 2) * HEIGHT;
  }
  return builder.build();
}

function experimentVariable(name: string, query: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name).datasource(DATASOURCE).query(query).includeAll(true).multi(true).allValue('.*').refresh(VariableRefresh.OnTimeRangeChanged);
}

function panelBuilder(spec: PanelSpec): PanelBuilder {
  const panel = new PanelBuilder().title(spec.title).description(spec.description).datasource(DATASOURCE).unit(spec.unit).min(0);
  panel.legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom));
  if (spec.max !== undefined) panel.max(spec.max);
  spec.queries.forEach((query, index) => {
    panel.withTarget(new DataqueryBuilder().refId(refId(index)).expr(query.expr).legendFormat(query.legend).range());
  });
  for (const dashed of spec.dashed ?? []) {
    panel.overrideByQuery(dashed, [
      { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      { id: 'custom.lineWidth', value: 2 },
    ]);
  }
  if (spec.reportLink) {
    panel.dataLinks([new DashboardLinkBuilder('Report of ${__field.labels.experiment}').url(reportUrl('${__field.labels.namespace}', '${__field.labels.experiment}')).targetBlank(true)]);
  }
  return panel;
}

export function refId(index: number): string {
  return String.fromCharCode('A'.charCodeAt(0) + index);
}

/** The file's content: the dashboard as Grafana's provisioning and sidecar read it. */
export function renderDashboard(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}
