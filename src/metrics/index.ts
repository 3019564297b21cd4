export { MigrascopeMetrics } from './registry.ts';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from './server.ts';
