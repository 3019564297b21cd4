// The Prometheus scrape configuration prometheus-operator generates from a ServiceMonitor
// endpoint, written from its documented generation rules (pkg/prometheus/promcfg.go and the
// golden configurations of its tests), so a real Prometheus scrapes our /metrics as it would in
// a cluster: job `serviceMonitor/<ns>/<name>/<i>`, honor_labels from the endpoint, the selector
// as keep rules on the Service's labels, the port as a keep rule, then the labels the operator
// always sets (node/pod from the endpoint's target, namespace from the target's namespace,
// service, pod, container, job from the Service's name, endpoint from the port), the endpoint's
// own relabelings, the shard keep rule, and metricRelabelings as metric_relabel_configs.
//
// There is no kubelet here, so no kubernetes_sd: `discoveredTarget` gives the __meta_kubernetes_*
// labels the endpoints role would give a target, for a file_sd_configs entry, and relabeling
// runs on them exactly as on discovered ones.

export interface ServiceMonitorEndpoint {
  port: string;
  path?: string;
  scheme?: string;
  /** Generated as authorization.credentials_file (type Bearer), as prometheus-operator does. */
  bearerTokenFile?: string;
  tlsConfig?: { insecureSkipVerify?: boolean; caFile?: string; serverName?: string };
  interval?: string;
  scrapeTimeout?: string;
  honorLabels?: boolean;
  relabelings?: RelabelConfig[];
  metricRelabelings?: RelabelConfig[];
}

/** The Prometheus operator's RelabelConfig (camelCase). */
export interface RelabelConfig {
  sourceLabels?: string[];
  separator?: string;
  targetLabel?: string;
  regex?: string;
  modulus?: number;
  replacement?: string;
  action?: string;
}

export interface ServiceMonitor {
  metadata: { name: string; namespace: string };
  spec: {
    selector: { matchLabels?: Record<string, string> };
    endpoints: ServiceMonitorEndpoint[];
  };
}

type PromRelabel = Record<string, unknown>;

/** Kubernetes label names as Prometheus meta label suffixes (app.kubernetes.io/name -> app_kubernetes_io_name). */
export function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

function promRelabel(config: RelabelConfig): PromRelabel {
  const out: PromRelabel = {};
  if (config.sourceLabels) out.source_labels = config.sourceLabels;
  if (config.separator !== undefined) out.separator = config.separator;
  if (config.targetLabel !== undefined) out.target_label = config.targetLabel;
  if (config.regex !== undefined) out.regex = config.regex;
  if (config.modulus !== undefined) out.modulus = config.modulus;
  if (config.replacement !== undefined) out.replacement = config.replacement;
  if (config.action !== undefined) out.action = config.action.toLowerCase();
  return out;
}

/** The scrape_config for endpoint `index` of `monitor`, discovering targets with `discovery`. */
export function scrapeConfigOf(monitor: ServiceMonitor, index: number, discovery: Record<string, unknown>): Record<string, unknown> {
  const endpoint = monitor.spec.endpoints[index];
  if (!endpoint) throw new Error(`ServiceMonitor ${monitor.metadata.name} has no endpoint ${index}`);
  const selector = Object.entries(monitor.spec.selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const relabel: PromRelabel[] = [
    { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
    ...selector.map(([key, value]) => ({
      action: 'keep',
      source_labels: [`__meta_kubernetes_service_label_${sanitize(key)}`, `__meta_kubernetes_service_labelpresent_${sanitize(key)}`],
      regex: `(${value});true`,
    })),
    { action: 'keep', source_labels: ['__meta_kubernetes_endpoint_port_name'], regex: endpoint.port },
    {
      source_labels: ['__meta_kubernetes_endpoint_address_target_kind', '__meta_kubernetes_endpoint_address_target_name'],
      separator: ';',
      regex: 'Node;(.*)',
      replacement: '${1}',
      target_label: 'node',
    },
    {
      source_labels: ['__meta_kubernetes_endpoint_address_target_kind', '__meta_kubernetes_endpoint_address_target_name'],
      separator: ';',
      regex: 'Pod;(.*)',
      replacement: '${1}',
      target_label: 'pod',
    },
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
    { source_labels: ['__meta_kubernetes_service_name'], target_label: 'job', replacement: '${1}' },
    { target_label: 'endpoint', replacement: endpoint.port },
    ...(endpoint.relabelings ?? []).map(promRelabel),
    // One shard: the config reloader substitutes $(SHARD) with 0.
    { source_labels: ['__address__'], target_label: '__tmp_hash', modulus: 1, action: 'hashmod' },
    { source_labels: ['__tmp_hash'], regex: '0', action: 'keep' },
  ];
  return {
    job_name: `serviceMonitor/${monitor.metadata.namespace}/${monitor.metadata.name}/${index}`,
    honor_labels: endpoint.honorLabels ?? false,
    ...discovery,
    ...(endpoint.interval ? { scrape_interval: endpoint.interval } : {}),
    ...(endpoint.scrapeTimeout ? { scrape_timeout: endpoint.scrapeTimeout } : {}),
    ...(endpoint.path ? { metrics_path: endpoint.path } : {}),
    ...(endpoint.scheme ? { scheme: endpoint.scheme } : {}),
    ...(endpoint.bearerTokenFile ? { authorization: { type: 'Bearer', credentials_file: endpoint.bearerTokenFile } } : {}),
    ...(endpoint.tlsConfig
      ? {
          tls_config: {
            ...(endpoint.tlsConfig.insecureSkipVerify === undefined ? {} : { insecure_skip_verify: endpoint.tlsConfig.insecureSkipVerify }),
            ...(endpoint.tlsConfig.caFile ? { ca_file: endpoint.tlsConfig.caFile } : {}),
            ...(endpoint.tlsConfig.serverName ? { server_name: endpoint.tlsConfig.serverName } : {}),
          },
        }
      : {}),
    relabel_configs: relabel,
    metric_relabel_configs: (endpoint.metricRelabelings ?? []).map(promRelabel),
  };
}

/** What kubernetes_sd's endpoints role gives a target: a pod behind `service`, port `port`. */
export function discoveredTarget(target: {
  address: string;
  namespace: string;
  service: string;
  serviceLabels: Record<string, string>;
  port: string;
  pod: string;
  container: string;
}): { targets: string[]; labels: Record<string, string> } {
  const labels: Record<string, string> = {
    __meta_kubernetes_namespace: target.namespace,
    __meta_kubernetes_service_name: target.service,
    __meta_kubernetes_endpoint_port_name: target.port,
    __meta_kubernetes_endpoint_address_target_kind: 'Pod',
    __meta_kubernetes_endpoint_address_target_name: target.pod,
    __meta_kubernetes_pod_name: target.pod,
    __meta_kubernetes_pod_container_name: target.container,
  };
  for (const [key, value] of Object.entries(target.serviceLabels)) {
    labels[`__meta_kubernetes_service_label_${sanitize(key)}`] = value;
    labels[`__meta_kubernetes_service_labelpresent_${sanitize(key)}`] = 'true';
  }
  return { targets: [target.address], labels };
}
