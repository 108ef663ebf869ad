#!/usr/bin/env bash
# VendHub morning check (runbook 001 "Daily Operations" for the single `vendhub` binary).
#
# Checks: service status, the five health endpoints and their JSON, disk, memory, errors in
# recent logs, PostgreSQL connections, Redis ping and memory, and (optionally) firing alerts.
# Prints one line per check and a summary; exit 0 = all OK, 1 = warnings, 2 = failures.
#
# Configuration (environment):
#   API_URL            base URL of vendhub                         [http://localhost:4000]
#   MODE               where services run: compose | k8s | host      [compose if `docker compose`
#                      works and the project is up, else host]
#   COMPOSE_FILE       compose file for MODE=compose               [docker-compose.yml]
#   K8S_NAMESPACE      namespace for MODE=k8s                      [vendhub]
#   K8S_POSTGRES / K8S_REDIS  workloads to exec into (MODE=k8s)   [statefulset/postgres / deploy/redis;
#                      with the Helm chart: statefulset/vendhub-postgres / deploy/vendhub-redis]
#   DATABASE_URL       PostgreSQL URL for MODE=host (psql)         [unset: database check skipped]
#   REDIS_URL          Redis URL for MODE=host (redis-cli)         [unset: Redis check skipped]
#   DB_USER / DB_NAME  for MODE=compose                            [vendhub / vendhub]
#   LOG_FILE           log file to scan instead of compose/k8s logs (MODE=host)
#   LOG_SINCE          log window                                  [24h]
#   LOG_ERROR_WARN     error lines that make a warning             [20]
#   DISK_PATHS         space-separated mount points                [/]
#   DISK_WARN/DISK_CRIT        percent                             [80 / 90]
#   MEM_WARN/MEM_CRIT          percent                             [80 / 95]
#   DB_CONN_WARN/DB_CONN_CRIT  active connections                  [50 / 80]
#   REDIS_MEM_WARN/REDIS_MEM_CRIT  percent of maxmemory            [80 / 90]
#   PROMETHEUS_URL     when set, firing alerts are listed          [unset]
#   METRICS_TOKEN      unused here; /metrics is not read
#   SKIP_CHECKS        space-separated names to skip: status health disk memory logs database
#                      redis alerts
#   CURL_TIMEOUT       seconds per HTTP request                    [10]
set -uo pipefail

API_URL=${API_URL:-http://localhost:4000}
API_URL=${API_URL%/}
COMPOSE_FILE=${COMPOSE_FILE:-docker-compose.yml}
K8S_NAMESPACE=${K8S_NAMESPACE:-vendhub}
K8S_POSTGRES=${K8S_POSTGRES:-statefulset/postgres}
K8S_REDIS=${K8S_REDIS:-deploy/redis}
DB_USER=${DB_USER:-vendhub}
DB_NAME=${DB_NAME:-vendhub}
LOG_SINCE=${LOG_SINCE:-24h}
LOG_ERROR_WARN=${LOG_ERROR_WARN:-20}
DISK_PATHS=${DISK_PATHS:-/}
DISK_WARN=${DISK_WARN:-80}
DISK_CRIT=${DISK_CRIT:-90}
MEM_WARN=${MEM_WARN:-80}
MEM_CRIT=${MEM_CRIT:-95}
DB_CONN_WARN=${DB_CONN_WARN:-50}
DB_CONN_CRIT=${DB_CONN_CRIT:-80}
REDIS_MEM_WARN=${REDIS_MEM_WARN:-80}
REDIS_MEM_CRIT=${REDIS_MEM_CRIT:-90}
CURL_TIMEOUT=${CURL_TIMEOUT:-10}
SKIP_CHECKS=${SKIP_CHECKS:-}

ok=0 warn=0 fail=0 skipped=0
problems=()

report() { # LEVEL MESSAGE
  local level=$1
  shift
  printf '[%s] %s\n' "$level" "$*"
  case $level in
    OK) ok=$((ok + 1)) ;;
    WARN) warn=$((warn + 1)); problems+=("WARN: $*") ;;
    FAIL) fail=$((fail + 1)); problems+=("FAIL: $*") ;;
    SKIP) skipped=$((skipped + 1)) ;;
  esac
}

section() { printf '\n--- %s ---\n' "$1"; }

# want NAME: false (and reported as skipped) when NAME is in SKIP_CHECKS.
want() {
  if [[ " $SKIP_CHECKS " == *" $1 "* ]]; then
    report SKIP "$1 (SKIP_CHECKS)"
    return 1
  fi
}

have() { command -v "$1" >/dev/null 2>&1; }

# First 200 characters of "$1" on one line.
oneline() { printf '%s' "$1" | tr '\n\t' '  ' | head -c 200; }

# Level for VALUE against WARN and CRIT thresholds (integers).
level_for() {
  if (($1 >= $3)); then echo FAIL; elif (($1 >= $2)); then echo WARN; else echo OK; fi
}

compose() { docker compose -f "$COMPOSE_FILE" "$@"; }

if [[ -z ${MODE:-} ]]; then
  if have docker && compose ps --quiet api 2>/dev/null | grep -q .; then
    MODE=compose
  else
    MODE=host
  fi
fi
case $MODE in compose | k8s | host) ;; *)
  echo "daily-check: MODE must be compose, k8s or host (got '$MODE')" >&2
  exit 2
  ;;
esac

echo "=== VendHub Daily Health Check ==="
echo "Date: $(date -u '+%Y-%m-%dT%H:%M:%SZ')  API: $API_URL  mode: $MODE"

missing=()
for tool in curl jq; do have "$tool" || missing+=("$tool"); done
if ((${#missing[@]})); then
  echo "daily-check: missing tools: ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 2
fi

# ---------------------------------------------------------------- 1. service status
check_status() {
  section "Services"
  case $MODE in
    compose)
      local line name state health
      while IFS=$'\t' read -r name state health; do
        [[ -z $name ]] && continue
        if [[ $state != running ]]; then
          report FAIL "container $name is $state"
        elif [[ -n $health && $health != healthy ]]; then
          report FAIL "container $name is $health"
        else
          report OK "container $name running${health:+ ($health)}"
        fi
      done < <(compose ps --format json 2>/dev/null | jq -r 'if type == "array" then .[] else . end
        | [.Service, .State, (.Health // "")] | @tsv')
      line=$(compose ps --status exited --format '{{.Service}} {{.ExitCode}}' 2>/dev/null |
        awk '$1 !~ /^(migrate|minio-init)$/ || $2 != 0')
      [[ -n $line ]] && report FAIL "exited containers: $line"
      ;;
    k8s)
      if ! have kubectl; then
        report SKIP "kubectl not found"
        return
      fi
      local not_ready
      not_ready=$(kubectl -n "$K8S_NAMESPACE" get pods -l app=vendhub-api -o json 2>/dev/null |
        jq -r '.items[] | select(([.status.conditions[]? | select(.type == "Ready" and .status == "True")] | length) == 0) | .metadata.name')
      local total
      total=$(kubectl -n "$K8S_NAMESPACE" get pods -l app=vendhub-api -o name 2>/dev/null | wc -l)
      if ((total == 0)); then
        report FAIL "no vendhub-api pods in namespace $K8S_NAMESPACE"
      elif [[ -n $not_ready ]]; then
        report WARN "pods not ready: $(echo "$not_ready" | tr '\n' ' ')"
      else
        report OK "$total vendhub-api pods ready"
      fi
      ;;
    host) report SKIP "service status (MODE=host: no container runtime to ask)" ;;
  esac
}

# ---------------------------------------------------------------- 2. health endpoints
# fetch PATH -> sets $body and $code
fetch() {
  local out
  out=$(curl -sS --max-time "$CURL_TIMEOUT" -H 'Accept: application/json' -w '\n%{http_code}' "$API_URL$1" 2>&1) || true
  code=${out##*$'\n'}
  body=${out%$'\n'*}
}

# check_json PATH DESCRIPTION JQ-FILTER (must print "true" for a healthy body)
check_json() {
  local path=$1 what=$2 filter=$3 verdict
  fetch "$path"
  if [[ $code != 200 ]]; then
    report FAIL "$what: GET $path returned HTTP $code $(oneline "$body")"
    return
  fi
  verdict=$(printf '%s' "$body" | jq -r "$filter" 2>/dev/null) || verdict=invalid
  if [[ $verdict == true ]]; then
    report OK "$what ($path)"
  else
    report FAIL "$what: unexpected body from $path: $(oneline "$body")"
  fi
}

check_health() {
  section "API health"
  check_json /health "basic health" '.status == "ok" and (.timestamp | type == "string")'
  check_json /health/live "liveness" '.status == "ok" and .info.memory_heap.status == "up"'
  check_json /health/ready "readiness" \
    '.status == "ok" and .info.database.status == "up" and ((.info.redis.status // .info.cache.status) == "up")'
  # /health/detailed: every component under info/error must be "up".
  fetch /health/detailed
  local down
  down=$(printf '%s' "$body" | jq -r '[(.info // {}), (.error // {})] | add | to_entries[]
    | select(.value.status != "up") | "\(.key)=\(.value.status)"' 2>/dev/null | tr '\n' ' ')
  if [[ $code == 200 && -z $down ]] && printf '%s' "$body" | jq -e '.status == "ok"' >/dev/null 2>&1; then
    report OK "all components up (/health/detailed)"
  else
    report FAIL "components: GET /health/detailed returned HTTP $code; not up: ${down:-$(oneline "$body")}"
  fi
  fetch /health/version
  if [[ $code == 200 ]] && printf '%s' "$body" | jq -e '.version and .environment' >/dev/null 2>&1; then
    report OK "version $(printf '%s' "$body" | jq -r '"\(.version) (\(.environment), commit \(.git_commit // "?"), up \(.uptime // "?")s)"')"
  else
    report FAIL "version: GET /health/version returned HTTP $code"
  fi
}

# ---------------------------------------------------------------- 3. disk
check_disk() {
  section "Disk"
  local path pct
  for path in $DISK_PATHS; do
    pct=$(df -P "$path" 2>/dev/null | awk 'NR == 2 { sub("%", "", $5); print $5 }')
    if [[ -z $pct ]]; then
      report FAIL "disk: cannot read usage of $path"
      continue
    fi
    report "$(level_for "$pct" "$DISK_WARN" "$DISK_CRIT")" "disk $path ${pct}% used (warn ${DISK_WARN}%, critical ${DISK_CRIT}%)"
  done
}

# ---------------------------------------------------------------- 4. memory
check_memory() {
  section "Memory"
  if [[ ! -r /proc/meminfo ]]; then
    report SKIP "memory: /proc/meminfo not readable"
    return
  fi
  local pct
  pct=$(awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 }
    END { if (t > 0) printf "%d", (t - a) * 100 / t }' /proc/meminfo)
  report "$(level_for "$pct" "$MEM_WARN" "$MEM_CRIT")" "memory ${pct}% used (warn ${MEM_WARN}%, critical ${MEM_CRIT}%)"
}

# ---------------------------------------------------------------- 5. errors in recent logs
check_logs() {
  section "Errors in logs (last $LOG_SINCE)"
  local logs
  if [[ -n ${LOG_FILE:-} ]]; then
    [[ -r $LOG_FILE ]] || { report FAIL "logs: cannot read $LOG_FILE"; return; }
    logs=$(cat "$LOG_FILE")
  elif [[ $MODE == compose ]]; then
    logs=$(compose logs --no-color --no-log-prefix --since "$LOG_SINCE" api 2>&1)
  elif [[ $MODE == k8s ]] && have kubectl; then
    logs=$(kubectl -n "$K8S_NAMESPACE" logs -l app=vendhub-api --since="$LOG_SINCE" --tail=-1 --prefix=false 2>&1)
  else
    report SKIP "logs: set LOG_FILE (MODE=host)"
    return
  fi
  # JSON lines with level ERROR, or plain lines mentioning error/panic/fatal.
  local errors count
  errors=$(printf '%s\n' "$logs" | grep -E -i '"level":"(error|fatal)"|\b(error|panic|fatal)\b' || true)
  count=$(printf '%s' "$errors" | grep -c . || true)
  if ((count >= LOG_ERROR_WARN)); then
    report WARN "$count error lines (threshold $LOG_ERROR_WARN); most frequent:"
  else
    report OK "$count error lines (threshold $LOG_ERROR_WARN)"
  fi
  if ((count > 0)); then
    printf '%s\n' "$errors" | sed -E 's/"(timestamp|time|ts)":"[^"]*",?//; s/^[0-9TZ:.+-]+ //' |
      cut -c1-160 | sort | uniq -c | sort -rn | head -5 | sed 's/^/      /'
  fi
}

# ---------------------------------------------------------------- 6. database connections
psql_query() {
  case $MODE in
    compose) compose exec -T postgres psql -U "$DB_USER" -d "$DB_NAME" -tAX -c "$1" ;;
    k8s) kubectl -n "$K8S_NAMESPACE" exec "$K8S_POSTGRES" -- psql -U "$DB_USER" -d "$DB_NAME" -tAX -c "$1" ;;
    host) psql "$DATABASE_URL" -tAX -c "$1" ;;
  esac
}

check_database() {
  section "Database"
  if [[ $MODE == host ]] && { [[ -z ${DATABASE_URL:-} ]] || ! have psql; }; then
    report SKIP "database: needs DATABASE_URL and psql (MODE=host)"
    return
  fi
  local row active total max
  if ! row=$(psql_query "SELECT count(*) FILTER (WHERE state = 'active'), count(*), current_setting('max_connections') FROM pg_stat_activity WHERE datname = current_database()" 2>&1); then
    report FAIL "database unreachable: $(oneline "$row")"
    return
  fi
  IFS='|' read -r active total max <<<"$row"
  if ! [[ $active =~ ^[0-9]+$ && $total =~ ^[0-9]+$ && $max =~ ^[0-9]+$ ]]; then
    report FAIL "database: unexpected answer: $row"
    return
  fi
  report "$(level_for "$active" "$DB_CONN_WARN" "$DB_CONN_CRIT")" \
    "database: $active active / $total total connections (max_connections $max; warn $DB_CONN_WARN, critical $DB_CONN_CRIT active)"
}

# ---------------------------------------------------------------- 7. Redis
redis_cmd() {
  case $MODE in
    compose) compose exec -T redis redis-cli "$@" ;;
    k8s) kubectl -n "$K8S_NAMESPACE" exec "$K8S_REDIS" -- redis-cli "$@" ;;
    host) redis-cli -u "$REDIS_URL" --no-auth-warning "$@" ;;
  esac
}

check_redis() {
  section "Redis"
  if [[ $MODE == host ]] && { [[ -z ${REDIS_URL:-} ]] || ! have redis-cli; }; then
    report SKIP "redis: needs REDIS_URL and redis-cli (MODE=host)"
    return
  fi
  local pong info used max human
  pong=$(redis_cmd ping 2>&1)
  if [[ $pong != *PONG* ]]; then
    report FAIL "redis ping: $(oneline "$pong")"
    return
  fi
  report OK "redis ping"
  info=$(redis_cmd info memory 2>/dev/null | tr -d '\r')
  used=$(sed -n 's/^used_memory://p' <<<"$info")
  max=$(sed -n 's/^maxmemory://p' <<<"$info")
  human=$(sed -n 's/^used_memory_human://p' <<<"$info")
  if [[ $max =~ ^[0-9]+$ && $used =~ ^[0-9]+$ ]] && ((max > 0)); then
    local pct=$((used * 100 / max))
    report "$(level_for "$pct" "$REDIS_MEM_WARN" "$REDIS_MEM_CRIT")" "redis memory $human (${pct}% of maxmemory)"
  else
    report OK "redis memory ${human:-unknown} (no maxmemory set)"
  fi
}

# ---------------------------------------------------------------- 8. firing alerts
check_alerts() {
  [[ -z ${PROMETHEUS_URL:-} ]] && return
  section "Alerts"
  local out firing
  if ! out=$(curl -sSf --max-time "$CURL_TIMEOUT" "${PROMETHEUS_URL%/}/api/v1/alerts" 2>&1); then
    report FAIL "prometheus: $(oneline "$out")"
    return
  fi
  firing=$(printf '%s' "$out" | jq -r '[.data.alerts[] | select(.state == "firing")
    | "\(.labels.alertname)[\(.labels.severity // "?")]"] | unique | join(" ")')
  if [[ -n $firing ]]; then
    report WARN "firing alerts: $firing"
  else
    report OK "no firing alerts"
  fi
}

want status && check_status
want health && check_health
want disk && check_disk
want memory && check_memory
want logs && check_logs
want database && check_database
want redis && check_redis
want alerts && check_alerts

echo
echo "=== Summary: $ok ok, $warn warning(s), $fail failure(s), $skipped skipped ==="
for p in "${problems[@]}"; do echo "  $p"; done
if ((fail > 0)); then exit 2; fi
if ((warn > 0)); then exit 1; fi
exit 0
