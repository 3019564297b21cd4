export { MigrascopeMetrics } from './registry.ts';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions, type PageRoute } from './server.ts';
