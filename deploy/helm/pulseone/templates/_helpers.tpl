{{/* Names, labels and the pieces every workload shares. */}}

{{- define "pulseone.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end }}

{{/* The name of one component's objects: (dict "root" $ "component" "auth"). */}}
{{- define "pulseone.name" -}}
{{- printf "%s-%s" (include "pulseone.fullname" .root) .component -}}
{{- end }}

{{- define "pulseone.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "pulseone.labels" -}}
{{ include "pulseone.selectorLabels" . }}
app.kubernetes.io/part-of: pulseone
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{/* Labels every pod of this release carries, whatever its component. */}}
{{- define "pulseone.releaseLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "pulseone.image" -}}
{{- $image := .Values.image -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository ($image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end }}

{{/*
Who calls whom over gRPC, read from the code: the peer channels each services/<name>/app.py opens
(every service but auth verifies tokens with auth's JWKS and re-checks account status there;
auth reads the audit trails of the services holding clinical data for GET /api/audit).
It is a fact of the code, not a setting; the gateway calls every service besides.
*/}}
{{- define "pulseone.calls" -}}
auth: [profile, appointments, prescriptions, video]
profile: [auth]
appointments: [auth, profile]
inventory: [auth, profile]
prescriptions: [auth, appointments, inventory]
video: [auth, appointments, profile]
{{- end }}

{{/* Every workload (the six services and the gateway) with the defaults filled in, as YAML. */}}
{{- define "pulseone.workloads" -}}
{{- $workloads := dict "gateway" (mergeOverwrite (deepCopy .Values.defaults) (deepCopy .Values.gateway)) -}}
{{- range $name, $service := .Values.services -}}
{{- $_ := set $workloads $name (mergeOverwrite (deepCopy $.Values.defaults) (deepCopy $service)) -}}
{{- end -}}
{{- toYaml $workloads -}}
{{- end }}

{{/* host:port of a service, as its callers and the gateway reach it. */}}
{{- define "pulseone.address" -}}
{{- printf "%s:%d" (include "pulseone.name" (dict "root" .root "component" .service)) (int (index .root.Values.services .service).port) -}}
{{- end }}

{{- define "pulseone.addressVariable" -}}
{{- printf "PULSEONE_%s_ADDRESS" (upper .) -}}
{{- end }}

{{- define "pulseone.natsURL" -}}
{{- .Values.nats.external.url | default (printf "nats://%s:4222" (include "pulseone.name" (dict "root" . "component" "nats"))) -}}
{{- end }}

{{- define "pulseone.keysSecret" -}}
{{- .Values.keys.existingSecret | default (include "pulseone.name" (dict "root" . "component" "keys")) -}}
{{- end }}

{{/*
Where the services' database URLs come from: "existingSecret", "urls" or the trial "postgresql";
exactly one may be chosen.
*/}}
{{- define "pulseone.databaseSource" -}}
{{- $chosen := list -}}
{{- if .Values.databases.existingSecret }}{{ $chosen = append $chosen "existingSecret" }}{{ end -}}
{{- if .Values.databases.urls }}{{ $chosen = append $chosen "urls" }}{{ end -}}
{{- if .Values.postgresql.enabled }}{{ $chosen = append $chosen "postgresql" }}{{ end -}}
{{- if ne (len $chosen) 1 -}}
{{- fail (printf "databases: choose exactly one of databases.existingSecret, databases.urls and postgresql.enabled (the trial database); chosen: %s" (join ", " $chosen | default "none")) -}}
{{- end -}}
{{- first $chosen -}}
{{- end }}

{{- define "pulseone.databasesSecret" -}}
{{- .Values.databases.existingSecret | default (include "pulseone.name" (dict "root" . "component" "databases")) -}}
{{- end }}

{{- define "pulseone.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "pulseone.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end }}

{{/*
What every pod spec of the release shares: no API token, no service-link variables (a Service named
like a PULSEONE_ setting would otherwise set it), the security context and the scheduling values.
(dict "root" $ "component" name "workload" values "uid" number)
*/}}
{{- define "pulseone.podCommon" -}}
serviceAccountName: {{ include "pulseone.serviceAccountName" .root }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- include "pulseone.podSecurityContext" .uid | nindent 2 }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.topologySpread }}
topologySpreadConstraints:
  {{- range . }}
  - {{ toYaml . | nindent 4 | trim }}
    labelSelector:
      matchLabels:
        {{- include "pulseone.selectorLabels" $ | nindent 8 }}
  {{- end }}
{{- end }}
{{- with .workload.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .workload.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .workload.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "pulseone.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "pulseone.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end }}

{{/* A writable /tmp, the only place besides its data a container may write. */}}
{{- define "pulseone.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end }}

{{- define "pulseone.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* Egress to DNS, which every pod needs to find its peers (any resolver: node-local caches too). */}}
{{- define "pulseone.dnsEgress" -}}
- ports:
    - {port: 53, protocol: UDP}
    - {port: 53, protocol: TCP}
{{- end }}

{{/* A podSelector of this release's pods whose component is one of .components. */}}
{{- define "pulseone.podsOf" -}}
podSelector:
  matchLabels:
    {{- include "pulseone.releaseLabels" .root | nindent 4 }}
  matchExpressions:
    - key: app.kubernetes.io/component
      operator: In
      values: {{ toJson .components }}
{{- end }}

{{/*
A new auth key ring in the format of services/auth/crypto.py create_key_ring: one Ed25519 key
(PKCS#8 PEM) that signs at once, and the pepper of refresh-token successors (base64 of 32 bytes).
*/}}
{{- define "pulseone.newKeyRing" -}}
{{- $key := dict "kid" (uuidv4 | replace "-" "" | trunc 16) "notBefore" "1970-01-01T00:00:00+00:00" "privateKey" (genPrivateKey "ed25519") -}}
{{- dict "refreshPepper" (randBytes 32) "keys" (list $key) | toPrettyJson -}}
{{- end }}

{{/* Egress to the services' databases: the trial PostgreSQL, or wherever networkPolicy.externalDatabases says. */}}
{{- define "pulseone.databaseEgress" -}}
{{- if eq (include "pulseone.databaseSource" .) "postgresql" -}}
{{- include "pulseone.ruleFor" (dict "root" . "direction" "to" "components" (list "postgresql") "port" 5432) }}
{{- else -}}
- ports:
    - {port: {{ .Values.networkPolicy.externalDatabases.port }}, protocol: TCP}
  {{- with .Values.networkPolicy.externalDatabases.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- end }}

{{/* Egress to the OTLP collector, on the port of tracing.otlpEndpoint (nothing when tracing is off). */}}
{{- define "pulseone.collectorEgress" -}}
{{- with .Values.tracing.otlpEndpoint -}}
- ports:
    - {port: {{ (urlParse .).host | splitList ":" | last }}, protocol: TCP}
  {{- with $.Values.tracing.collectorTo }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- end }}

{{/* The start of a component's NetworkPolicy, both directions governed; its rules follow. */}}
{{- define "pulseone.networkPolicy" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "pulseone.name" . }}
  labels:
    {{- include "pulseone.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "pulseone.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
{{- end }}

{{/* A rule (ingress with "from", egress with "to") naming this release's pods of some components, on one port. */}}
{{- define "pulseone.ruleFor" -}}
- {{ .direction }}:
    - {{ include "pulseone.podsOf" . | nindent 6 | trim }}
  ports:
    - {port: {{ .port }}, protocol: TCP}
{{- end }}

{{/* The container's variables: the plain ones, sorted, then the gateway secret every workload shares. */}}
{{- define "pulseone.env" -}}
{{- range $variable := keys .env | sortAlpha }}
- {name: {{ $variable }}, value: {{ index $.env $variable | toString | quote }}}
{{- end }}
- name: PULSEONE_GATEWAY_SECRET
  valueFrom:
    secretKeyRef: {name: {{ include "pulseone.keysSecret" .root }}, key: gateway-secret}
{{- end }}

{{/* Prometheus may reach a pod's metrics port (from `metrics.scrapeFrom`, or anyone on that port). */}}
{{- define "pulseone.metricsIngress" -}}
{{- if .Values.metrics.enabled }}
- ports:
    - {port: {{ .Values.metrics.port }}, protocol: TCP}
  {{- with .Values.metrics.scrapeFrom }}
  from:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end }}
