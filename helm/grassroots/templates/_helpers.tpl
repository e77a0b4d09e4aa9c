{{/* Chart name, truncated at 63 chars: Kubernetes names are DNS labels. */}}
{{- define "grassroots.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; the release name is used alone when it already contains the chart name. */}}
{{- define "grassroots.fullname" -}}
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

{{- define "grassroots.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels shared by every object of the release. */}}
{{- define "grassroots.labels" -}}
helm.sh/chart: {{ include "grassroots.chart" . }}
{{ include "grassroots.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: grassroots
{{- end }}

{{/* Selector labels: immutable once deployed, so name + instance only. */}}
{{- define "grassroots.selectorLabels" -}}
app.kubernetes.io/name: {{ include "grassroots.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Per-service helpers take a dict: (dict "root" $ "name" $name "svc" $svc).
*/}}
{{- define "grassroots.componentName" -}}
{{- printf "%s-%s" (include "grassroots.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "grassroots.componentLabels" -}}
{{ include "grassroots.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "grassroots.componentSelectorLabels" -}}
{{ include "grassroots.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "grassroots.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "grassroots.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, and @digest when image.digest pins the content. */}}
{{- define "grassroots.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- with .Values.image.digest }}@{{ . }}{{ end }}
{{- end }}

{{/* The Secret a service reads: its own, else the shared one; there is no default. */}}
{{- define "grassroots.secretName" -}}
{{- $name := .svc.existingSecret | default .root.Values.secrets.existingSecret }}
{{- required (printf "set secrets.existingSecret (or services.%s.existingSecret) to a Secret holding %s, %s and %s; this chart never creates secrets" .name .root.Values.secrets.dbPasswordKey .root.Values.secrets.authPublicKeyKey .root.Values.secrets.pageTokenSecretKey) $name }}
{{- end }}

{{/* Replicas the PDB can count on: the HPA floor when autoscaling, else replicaCount. */}}
{{- define "grassroots.minReplicas" -}}
{{- if .svc.autoscaling.enabled }}{{ .svc.autoscaling.minReplicas }}{{ else }}{{ .svc.replicaCount }}{{ end }}
{{- end }}

{{/* The Secret holding a service's TLS certificate (tls.crt, tls.key, ca.crt). */}}
{{- define "grassroots.tlsSecretName" -}}
{{- .svc.tlsSecret | default (printf "%s-tls" (include "grassroots.componentName" .)) }}
{{- end }}

{{/* The gateway's image: its own repository/tag/digest when set, else the chart's. The chart's
digest pins only the chart's own image: it is not applied to a repository or tag of the gateway's. */}}
{{- define "grassroots.gatewayImage" -}}
{{- $image := .Values.gateway.image | default dict }}
{{- if or $image.repository $image.tag $image.digest }}
{{- printf "%s:%s" ($image.repository | default .Values.image.repository) ($image.tag | default .Values.image.tag | default .Chart.AppVersion) }}
{{- with $image.digest }}@{{ . }}{{ end }}
{{- else }}
{{- include "grassroots.image" . }}
{{- end }}
{{- end }}

{{/* The gateway's HTTP probes speak HTTPS when it serves TLS. */}}
{{- define "grassroots.gatewayScheme" -}}
{{- ternary "HTTPS" "HTTP" (.Values.tls.enabled | default false) }}
{{- end }}

{{/* The gateway's backends that are enabled, as a JSON list of service names; fails when none is. */}}
{{- define "grassroots.gatewayBackends" -}}
{{- $enabled := list }}
{{- range $name := .Values.gateway.backends }}
{{- $svc := index $.Values.services $name | default dict }}
{{- if $svc.enabled }}{{ $enabled = append $enabled $name }}{{ end }}
{{- end }}
{{- if not $enabled }}
{{- fail "gateway.backends: none of the listed services is enabled; the gateway needs at least one (or set gateway.enabled=false)" }}
{{- end }}
{{- toJson $enabled }}
{{- end }}
