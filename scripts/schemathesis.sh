#!/usr/bin/env bash
# Runs schemathesis over /openapi.json of a demo instance (SQLite, a temporary data directory), signed in
# as its owner, with the checks the API document promises: no server errors, only documented statuses,
# the documented content types and response schemas. Exits non-zero on any failure. Needs `schemathesis`
# on PATH (.ci/run installs it into its virtual environment) and builds the debug binary if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v schemathesis >/dev/null || { echo "error: schemathesis is not on PATH (pip install schemathesis)" >&2; exit 1; }
cargo build -q -p vendhub --locked
bin=${CARGO_TARGET_DIR:-target}/debug/vendhub
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password="schemathesis-owner-2026"
env_vars=(PATH="$PATH" VENDHUB_DATA_DIR="$dir" HOST=127.0.0.1 PORT="$port" LOG_LEVEL=warn
  VENDHUB_ADMIN_PASSWORD="$password" RATE_LIMIT_LIMIT=0 FEATURE_TASK_AUTOMATION=false)
env -i "${env_vars[@]}" "$bin" seed --demo >/dev/null
env -i "${env_vars[@]}" "$bin" serve >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
  env -i "${env_vars[@]}" "$bin" healthcheck >/dev/null 2>&1 && break
  sleep 0.2
done
token=$(python3 - "$port" "$password" <<'PY'
import json, sys, urllib.request
port, password = sys.argv[1], sys.argv[2]
req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/auth/login",
    data=json.dumps({"email": "admin@vendhub.local", "password": password}).encode(),
    headers={"content-type": "application/json"})
print(json.load(urllib.request.urlopen(req))["access_token"])
PY
)
# Calls that would end the run's own session or account, or the organization it works in, are left
# out; everything else is exercised with the owner's token.
schemathesis run "http://127.0.0.1:$port/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  -H "Authorization: Bearer $token" \
  --exclude-path-regex '^/api/v1/auth/(logout|2fa/|password/change|sessions)' \
  --exclude-path '/api/v1/organizations/current' --exclude-method DELETE \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-10}" --workers 2 --request-timeout 10 \
  --generation-deterministic "$@"
