#!/usr/bin/env bash
# The whole test suite: every crate's tests on SQLite, the same again on PostgreSQL, then the checks of
# the deployment and monitoring files. Needs a PostgreSQL server (TEST_PG_URL, default the local one with
# trust auth), Redis (TEST_REDIS_URL, default the local one), redis-server, promtool and moto_server on PATH;
# .ci/run installs and starts whatever of that is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"

run_tests() {
  if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --locked --no-fail-fast
  else
    cargo test --workspace --locked --no-fail-fast
  fi
}

echo "=== tests on SQLite"
env -u TEST_DATABASE_URL bash -c "$(declare -f run_tests); run_tests"

echo "=== tests on PostgreSQL ($pg_url)"
TEST_DATABASE_URL="$pg_url" bash -c "$(declare -f run_tests); run_tests"

if [ -f deploy/check.sh ] && [ "${SKIP_DEPLOY_CHECKS:-0}" != 1 ]; then
  echo "=== deployment and monitoring checks"
  bash deploy/check.sh
fi
