// The flags that guard a metrics endpoint, the same for `controller` and `worker`. Off unless asked
// (the chart asks, MIGRASCOPE_METRICS_SECURE=true): a process run by hand on a laptop serves plain
// HTTP to loopback as Prometheus' examples expect; in a cluster the endpoint is reachable by every
// pod, so the chart turns the guard on.
import type { Command } from 'commander';
import type { SecureMetricsOptions } from '../controller/metrics-access.ts';

export interface MetricsFlags {
  metricsSecure: boolean;
  metricsCertDir?: string;
}

export function addMetricsFlags(command: Command): Command {
  return command
    .option(
      '--metrics-secure',
      '/metrics (and reports) over HTTPS, only to bearer tokens the API server authenticates and authorizes (TokenReview, SubjectAccessReview) (env MIGRASCOPE_METRICS_SECURE=true)',
      process.env.MIGRASCOPE_METRICS_SECURE === 'true',
    )
    .option('--no-metrics-secure', 'plain HTTP to anyone (for local use)')
    .option('--metrics-cert-dir <dir>', 'with --metrics-secure: tls.crt and tls.key to serve (default: a self-signed certificate) (env MIGRASCOPE_METRICS_CERT_DIR)', process.env.MIGRASCOPE_METRICS_CERT_DIR || undefined);
}

export function secureMetricsOf(flags: MetricsFlags): SecureMetricsOptions | undefined {
  return flags.metricsSecure ? { certDir: flags.metricsCertDir } : undefined;
}
