{{/* Chart name. */}}
{{- define "vendhub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped base name: "vendhub" for a release named vendhub. */}}
{{- define "vendhub.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "vendhub.api" -}}{{ include "vendhub.fullname" . }}-api{{- end -}}
{{- define "vendhub.config" -}}{{ include "vendhub.fullname" . }}-config{{- end -}}
{{- define "vendhub.postgres" -}}{{ include "vendhub.fullname" . }}-postgres{{- end -}}
{{- define "vendhub.redis" -}}{{ include "vendhub.fullname" . }}-redis{{- end -}}

{{- define "vendhub.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "vendhub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: vendhub
{{- end -}}

{{/* Selector of the API pods; `app` matches the runbook's `kubectl -l app=vendhub-api`. */}}
{{- define "vendhub.apiSelector" -}}
app: {{ include "vendhub.api" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "vendhub.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Non-secret configuration with computed defaults. */}}
{{- define "vendhub.configData" -}}
{{- $cfg := deepCopy .Values.config -}}
{{- if and .Values.redis.enabled (not $cfg.REDIS_HOST) -}}
{{- $_ := set $cfg "REDIS_HOST" (include "vendhub.redis" .) -}}
{{- end -}}
{{- range $k := keys $cfg | sortAlpha }}
{{- $v := get $cfg $k }}
{{- if ne (toString $v) "" }}
{{ $k }}: {{ toString $v | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Secret environment, always by reference. */}}
{{- define "vendhub.secretEnv" -}}
{{- $secret := .Values.secrets.name -}}
{{- range .Values.secrets.required }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
{{- end }}
{{- range .Values.secrets.optional }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
      optional: true
{{- end }}
{{- end -}}

{{/* Fail the render when the grace period cannot cover preStop + the app's drain. */}}
{{- define "vendhub.validate" -}}
{{- $drain := 15 -}}
{{- $shutdown := toString (default "15s" .Values.config.SHUTDOWN_TIMEOUT) -}}
{{- if regexMatch "^[0-9]+s?$" $shutdown -}}
{{- $drain = trimSuffix "s" $shutdown | atoi -}}
{{- end -}}
{{- $need := add (int .Values.preStop.seconds) $drain -}}
{{- if le (int .Values.terminationGracePeriodSeconds) $need -}}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed preStop.seconds + SHUTDOWN_TIMEOUT (%v)" .Values.terminationGracePeriodSeconds $need) -}}
{{- end -}}
{{- if not (has .Values.preStop.mode (list "exec" "sleep")) -}}
{{- fail "preStop.mode must be exec or sleep" -}}
{{- end -}}
{{- end -}}
