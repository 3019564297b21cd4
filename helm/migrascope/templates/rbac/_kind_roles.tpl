{{- /*
Per-kind ClusterRoles for people, as kubebuilder makes them: admin (everything), editor (create,
change, delete) and viewer (read). They aggregate into Kubernetes' own admin, edit and view roles,
so a namespace's admins, editors and viewers get them where they already have those roles. Only
editors and admins may create XenPools: a XenPool makes the operator use a Secret of its namespace,
and `edit` already reads Secrets; `view` does not, and neither does the viewer here.
Usage: include "migrascope.kindRole" (dict "root" $ "plural" "xenpools" "singular" "xenpool" "role" "viewer")
*/}}
{{- define "migrascope.kindRole" -}}
{{- $verbs := dict "admin" (list "create" "delete" "deletecollection" "get" "list" "patch" "update" "watch") "editor" (list "create" "delete" "get" "list" "patch" "update" "watch") "viewer" (list "get" "list" "watch") }}
{{- $aggregateTo := dict "admin" "admin" "editor" "edit" "viewer" "view" }}
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ include "migrascope.fullname" .root }}-{{ .singular }}-{{ .role }}
  labels:
    {{- include "migrascope.labels" .root | nindent 4 }}
    rbac.authorization.k8s.io/aggregate-to-{{ get $aggregateTo .role }}: "true"
rules:
  - apiGroups: [migrascope.io]
    resources: [{{ .plural }}]
    verbs: {{ get $verbs .role | toJson }}
  - apiGroups: [migrascope.io]
    resources: [{{ .plural }}/status]
    verbs: [get]
{{- end }}
