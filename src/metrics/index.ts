export { MigrascopeMetrics, type JudgedActions, type MigrascopeMetricsOptions } from './registry.ts';
export { startMetricsServer, type Access, type GuardDecision, type MetricsServer, type MetricsServerOptions, type PageRoute, type RequestGuard } from './server.ts';
export { servingTls } from './serving-tls.ts';
export { WorkerMetrics, type CountedQueue, type ShardMetrics } from './worker-metrics.ts';
