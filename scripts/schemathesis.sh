#!/usr/bin/env bash
# Schemathesis (from PyPI, pinned in .ci/run) against a demo instance's /openapi.json, signed in as the
# seeded owner: no 5xx, and every status, content type and body as the document says. Non-zero on any
# failure. Expects `schemathesis` (or `st`) on PATH; builds the debug `vendhub` binary if needed.
# MAX_TIME (seconds, default 240) bounds the fuzzing; MAX_EXAMPLES (default 20) per operation.
set -euo pipefail
cd "$(dirname "$0")/.."

st=$(command -v schemathesis || command -v st || true)
if [ -z "$st" ]; then
  echo "error: schemathesis is not on PATH (python3 -m pip install schemathesis)" >&2
  exit 1
fi
target=${CARGO_TARGET_DIR:-target}
cargo build -q -p vendhub
bin="$target/debug/vendhub"

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
email=owner@schemathesis.local
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
export APP_ENV=development HOST=127.0.0.1 PORT="$port" VENDHUB_DATA_DIR="$data" \
  DATABASE_URL="sqlite://$data/vendhub.db" VENDHUB_ADMIN_EMAIL="$email" VENDHUB_ADMIN_PASSWORD="$password" \
  RATE_LIMIT_LIMIT=1000000 RATE_LIMIT_AUTH_LIMIT=1000000 HEALTH_DISK_THRESHOLD_PERCENT=99
# The rate limits are lifted: otherwise most generated calls are 429 and test nothing. The disk
# threshold too: this checks the API, not how full the CI machine's disk is (a full disk is a 503).
base="http://127.0.0.1:$port"

"$bin" seed --demo >"$data/seed.log" 2>&1
"$bin" serve >"$data/serve.log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "${KEEP_LOG:-0}" = 1 ]; then echo "server log: $data/serve.log"; else rm -rf "$data"; fi
}
trap cleanup EXIT

for _ in $(seq 100); do
  curl -fsS "$base/health/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
token=$(curl -fsS -H 'content-type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$base/api/v1/auth/login" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

echo "=== $("$st" --version)"
# Excluded because they end the run's session or tenant, so every later call would be 401/404:
# logout and revoking a session (the run finds its own in GET /auth/sessions) revoke the token, a password change revokes the sessions, deleting the organization removes
# everything the token can see; suspending a user can suspend the owner itself (the server allows
# that today, and every later call is 401).
# POST /api/v1/gateway/dex (a text/plain body) is left out because schemathesis' coverage phase crashes
# on it inside hypothesis ("AST constructor recursion depth mismatch", Debian's Python 3.11), now and
# then: a tool error, not an answer of ours. The DEX upload has its own e2e tests (e2e/gateway/dex.rs).
"$st" run "$base/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-name 'POST /api/v1/auth/logout' \
  --exclude-name 'DELETE /api/v1/auth/sessions/{id}' \
  --exclude-name 'POST /api/v1/auth/password/change' \
  --exclude-name 'DELETE /api/v1/organizations/current' \
  --exclude-name 'POST /api/v1/users/{id}/suspend' \
  --exclude-name 'POST /api/v1/gateway/dex' \
  --max-examples "${MAX_EXAMPLES:-20}" \
  --max-time "${MAX_TIME:-240}" \
  --workers 2 \
  --request-timeout 10 \
  --seed "${SEED:-1}" \
  "$@"
