{{/* Names, labels and the settings the templates share. */}}

{{- define "migrascope.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's base name: "migrascope" for a release of that name, else release-chart. */}}
{{- define "migrascope.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "migrascope.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "migrascope.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: migrascope
{{- end }}

{{/* Selector labels of one component (controller, worker, redis): never change across upgrades. */}}
{{- define "migrascope.selectorLabels" -}}
app.kubernetes.io/name: {{ include "migrascope.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "migrascope.componentLabels" -}}
{{ include "migrascope.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "migrascope.controllerName" -}}
{{ include "migrascope.fullname" . }}-controller
{{- end }}

{{- define "migrascope.workerName" -}}
{{ include "migrascope.fullname" . }}-worker
{{- end }}

{{- define "migrascope.redisName" -}}
{{ include "migrascope.fullname" . }}-redis
{{- end }}

{{- define "migrascope.leaseName" -}}
{{ default (printf "%s-controller" (include "migrascope.fullname" .)) .Values.controller.leaderElection.leaseName }}
{{- end }}

{{- define "migrascope.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end }}
{{- end }}

{{/* The service accounts the pods run as and the roles are bound to: <serviceAccount.name or fullname>-<component>. */}}
{{- define "migrascope.controllerServiceAccount" -}}
{{ default (include "migrascope.fullname" .) .Values.serviceAccount.name }}-controller
{{- end }}

{{- define "migrascope.workerServiceAccount" -}}
{{ default (include "migrascope.fullname" .) .Values.serviceAccount.name }}-worker
{{- end }}

{{/*
A process's pod annotations (the top-level podAnnotations, overridden by controller.* / worker.*)
and scheduling extras (priorityClassName, topologySpreadConstraints: the process's, else the
top-level ones). Called with (dict "root" $ "process" .Values.controller "component" "controller").
*/}}
{{- define "migrascope.podAnnotations" -}}
{{- $annotations := merge (deepCopy (default dict .process.podAnnotations)) (default dict .root.Values.podAnnotations) }}
{{- with $annotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "migrascope.podScheduling" -}}
{{- with default .root.Values.priorityClassName .process.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- $selector := include "migrascope.selectorLabels" . | fromYaml }}
{{- with default .root.Values.topologySpreadConstraints .process.topologySpreadConstraints }}
{{- /* Without a labelSelector a constraint matches no pod: spread the process's own pods. */}}
{{- $constraints := list }}
{{- range . }}
{{- $constraints = append $constraints (merge (deepCopy .) (dict "labelSelector" (dict "matchLabels" $selector))) }}
{{- end }}
topologySpreadConstraints:
  {{- toYaml $constraints | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Redis' --maxmemory in bytes: redis.internal.maxmemoryPercent of the container's memory limit
(a Kubernetes quantity: 512Mi, 1Gi, 500M, 1.5Gi, 536870912). Empty without a limit.
*/}}
{{- define "migrascope.redisMaxmemory" -}}
{{- $limit := toString (dig "limits" "memory" "" .Values.redis.internal.resources) }}
{{- if $limit }}
{{- $units := dict "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 }}
{{- $unit := regexFind "[A-Za-z]+$" $limit }}
{{- if and $unit (not (hasKey $units $unit)) }}
{{- fail (printf "redis.internal.resources.limits.memory: %q has a unit the chart cannot read (use Ki, Mi, Gi, Ti, k, M, G or T)" $limit) }}
{{- end }}
{{- $bytes := mulf (float64 (trimSuffix $unit $limit)) (float64 (get $units $unit | default 1)) }}
{{- printf "%d" (int64 (mulf $bytes (divf (float64 .Values.redis.internal.maxmemoryPercent) 100.0))) }}
{{- end }}
{{- end }}

{{/* The namespaces whose Secrets the operator may read, as a list (see values.yaml). */}}
{{- define "migrascope.secretNamespaces" -}}
{{- $namespaces := .Values.secretNamespaces }}
{{- if not $namespaces }}
{{- $namespaces = .Values.watchNamespaces }}
{{- end }}
{{- if not $namespaces }}
{{- $namespaces = list .Release.Namespace }}
{{- end }}
{{- toJson (uniq $namespaces) }}
{{- end }}

{{/* The Redis URL: the internal Service, or the external URL or Secret; an external one's password, Sentinel password and CA from Secrets. */}}
{{- define "migrascope.redisEnv" -}}
{{- if .Values.redis.internal.enabled }}
- name: MIGRASCOPE_REDIS_URL
  value: {{ printf "redis://%s.%s.svc:6379" (include "migrascope.redisName" .) .Release.Namespace | quote }}
{{- else if .Values.redis.external.existingSecret }}
- name: MIGRASCOPE_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.external.existingSecret }}
      key: {{ .Values.redis.external.existingSecretKey }}
{{- else if .Values.redis.external.url }}
- name: MIGRASCOPE_REDIS_URL
  value: {{ .Values.redis.external.url | quote }}
{{- else }}
{{- fail "redis: set redis.external.url or redis.external.existingSecret, or enable redis.internal" }}
{{- end }}
{{- if not .Values.redis.internal.enabled }}
{{- with .Values.redis.external }}
{{- if .passwordSecret }}
- name: MIGRASCOPE_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .passwordSecret }}
      key: {{ .passwordSecretKey }}
{{- end }}
{{- if .sentinelPasswordSecret }}
- name: MIGRASCOPE_REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .sentinelPasswordSecret }}
      key: {{ .sentinelPasswordSecretKey }}
{{- end }}
{{- if .caSecret }}
- name: MIGRASCOPE_REDIS_CA_FILE
  value: {{ printf "/etc/migrascope/redis-ca/%s" .caSecretKey | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* What both processes are told: where Redis is, where metrics go, how to log. */}}
{{- define "migrascope.commonEnv" -}}
{{ include "migrascope.redisEnv" .root | trim }}
- name: MIGRASCOPE_METRICS_PORT
  value: {{ .root.Values.metrics.port | quote }}
- name: MIGRASCOPE_METRICS_SECURE
  value: {{ .root.Values.metrics.secure | quote }}
{{- if and .root.Values.metrics.secure .root.Values.metrics.certSecret }}
- name: MIGRASCOPE_METRICS_CERT_DIR
  value: /etc/migrascope/metrics-certs
{{- end }}
{{- if .root.Values.loadTargets }}
- name: MIGRASCOPE_LOAD_TARGETS_FILE
  value: /etc/migrascope/load-targets/load-targets.yaml
{{- end }}
- name: MIGRASCOPE_WATCH_NAMESPACES
  value: {{ join "," .root.Values.watchNamespaces | quote }}
- name: MIGRASCOPE_LOG_LEVEL
  value: {{ .logLevel | quote }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- end }}

{{- /* The scheme of the metrics port: HTTPS when metrics.secure (the kubelet's probes follow it). */}}
{{- define "migrascope.metricsScheme" -}}
{{ if .Values.metrics.secure }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}

{{- /* What both processes read from files: the loadTargets ConfigMap when the allow-list is set, the metrics certificate Secret when metrics.secure names one, the CA of an external Redis over TLS. */}}
{{- define "migrascope.configMounts" -}}
{{- if and (not .Values.redis.internal.enabled) .Values.redis.external.caSecret }}
- name: redis-ca
  mountPath: /etc/migrascope/redis-ca
  readOnly: true
{{- end }}
{{- if .Values.loadTargets }}
- name: load-targets
  mountPath: /etc/migrascope/load-targets
  readOnly: true
{{- end }}
{{- if and .Values.metrics.secure .Values.metrics.certSecret }}
- name: metrics-certs
  mountPath: /etc/migrascope/metrics-certs
  readOnly: true
{{- end }}
{{- end }}
{{- define "migrascope.configVolumes" -}}
{{- if and (not .Values.redis.internal.enabled) .Values.redis.external.caSecret }}
- name: redis-ca
  secret:
    secretName: {{ .Values.redis.external.caSecret }}
{{- end }}
{{- if .Values.loadTargets }}
- name: load-targets
  configMap:
    name: {{ include "migrascope.fullname" . }}-load-targets
{{- end }}
{{- if and .Values.metrics.secure .Values.metrics.certSecret }}
- name: metrics-certs
  secret:
    secretName: {{ .Values.metrics.certSecret }}
{{- end }}
{{- end }}
