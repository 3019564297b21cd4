export { MigrascopeMetrics, type JudgedActions, type MigrascopeMetricsOptions } from './registry.ts';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions, type PageRoute } from './server.ts';
export { WorkerMetrics, type CountedQueue, type ShardMetrics } from './worker-metrics.ts';
