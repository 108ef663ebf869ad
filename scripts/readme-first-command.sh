#!/usr/bin/env bash
# Runs the README's first command as a new user types it, from the checkout, through `cargo run`, in an
# environment that holds only what a user's shell has, and waits until `/health/ready` answers ok.
# The release profile is swapped for the debug one (PROFILE=release keeps it): CI has built the debug
# profile already, and what is proven here is the command, not the optimiser.
set -euo pipefail
cd "$(dirname "$0")/.."

line=$(awk '/^## Two commands/{f=1} f && /^cargo run/{print; exit}' README.md)
cmd=${line%%#*}
cmd=$(echo "$cmd" | sed -e 's/[[:space:]]*$//')
if [ -z "$cmd" ]; then
  echo "error: README.md has no 'cargo run' line under '## Two commands'" >&2
  exit 1
fi
if [ "${PROFILE:-debug}" != release ]; then
  cmd=${cmd/ --release/}
fi
port=4000
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "error: something already listens on port $port; the README's command needs it" >&2
  exit 1
fi

had_data=0
[ -e data ] && had_data=1
log=$(mktemp)
echo "=== README's first command: $cmd"
# A user's shell: PATH and HOME, and where rustup keeps the toolchain if it is not under HOME.
env -i PATH="$PATH" HOME="$HOME" ${CARGO_HOME:+CARGO_HOME="$CARGO_HOME"} \
  ${RUSTUP_HOME:+RUSTUP_HOME="$RUSTUP_HOME"} ${RUSTUP_TOOLCHAIN:+RUSTUP_TOOLCHAIN="$RUSTUP_TOOLCHAIN"} \
  setsid bash -c "exec $cmd" >"$log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$had_data" = 1 ] || rm -rf data
  rm -f "$log"
}
trap cleanup EXIT

ready() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET /health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
  local answer
  answer=$(cat <&3)
  exec 3<&-
  [[ "$answer" == "HTTP/1.1 200"* && "$answer" == *'"status":"ok"'* ]]
}

# Building the binary may take a while on a cold cache: up to 15 minutes.
for _ in $(seq 900); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "error: the README's first command exited before it was ready:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  if ready 2>/dev/null; then
    echo "ok: /health/ready answered 200 with status ok"
    grep -E "First start|e-mail|listening" "$log" || true
    exit 0
  fi
  sleep 1
done
echo "error: /health/ready did not answer ok within 15 minutes:" >&2
tail -n 20 "$log" >&2
exit 1
