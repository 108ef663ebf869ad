#!/bin/sh
# Render the Alertmanager config template: replace ${ALERT_*} placeholders with values from the
# environment. Used as the container's entrypoint step (docker-compose.yml) and by
# deploy/check.sh (with sample values), so both see the same file.
#   render-config.sh TEMPLATE OUTPUT
# Unset variables render as the defaults below, so a dev stack starts without real channels
# (notifications then fail to send, and Alertmanager logs it).
set -eu

template=${1:?usage: render-config.sh TEMPLATE OUTPUT}
output=${2:?usage: render-config.sh TEMPLATE OUTPUT}

: "${ALERT_SMTP_SMARTHOST:=localhost:25}"
: "${ALERT_SMTP_FROM:=alertmanager@vendhub.uz}"
: "${ALERT_SMTP_USER:=}"
: "${ALERT_SMTP_PASSWORD:=}"
: "${ALERT_TELEGRAM_BOT_TOKEN:=000000000:unset}"
: "${ALERT_TELEGRAM_CRITICAL_CHAT:=-1}"
: "${ALERT_TELEGRAM_ALERTS_CHAT:=-1}"
: "${ALERT_TELEGRAM_BUSINESS_CHAT:=-1}"

for chat in "$ALERT_TELEGRAM_CRITICAL_CHAT" "$ALERT_TELEGRAM_ALERTS_CHAT" "$ALERT_TELEGRAM_BUSINESS_CHAT"; do
  case $chat in
    '' | *[!0-9-]*) echo "render-config.sh: Telegram chat ids must be integers, got '$chat'" >&2; exit 1 ;;
  esac
done

# Escape a value for a single-quoted YAML scalar ('' for ') and for the sed replacement (\ & |).
escape() {
  printf '%s' "$1" | sed -e "s/'/''/g" -e 's/[\\&|]/\\&/g'
}

tmp="$output.tmp"
cp "$template" "$tmp"
for name in ALERT_SMTP_SMARTHOST ALERT_SMTP_FROM ALERT_SMTP_USER ALERT_SMTP_PASSWORD \
  ALERT_TELEGRAM_BOT_TOKEN ALERT_TELEGRAM_CRITICAL_CHAT ALERT_TELEGRAM_ALERTS_CHAT \
  ALERT_TELEGRAM_BUSINESS_CHAT; do
  eval "value=\${$name}"
  # shellcheck disable=SC2154 # value is assigned by eval above
  sed -i "s|\${$name}|$(escape "$value")|g" "$tmp"
done
# shellcheck disable=SC2016 # a literal ${ALERT_...} is what we look for
if grep -nE '\$\{ALERT_[A-Z_]+\}' "$tmp" >&2; then
  echo "render-config.sh: unknown placeholder left in $template" >&2
  exit 1
fi
mv "$tmp" "$output"
