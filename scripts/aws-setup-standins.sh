#!/usr/bin/env bash
# Applies aws/json/ to the offline stand-ins of a running stack, as `make aws-setup` applies it to
# AWS: the X-Ray sampling rule and groups to the X-Ray control-plane stand-in, the log group to
# moto. Not the Logs Insights query definitions: moto implements none (it answers their calls
# with an HTML 404). scripts/stack-up.sh runs it when AWS is a stand-in; the tests run it too.
# Ports and credentials are the ones docker-compose.yml publishes and gives the stand-ins.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
xray="http://127.0.0.1:${XRAY_STANDIN_PORT:-5100}"
for _ in $(seq 1 30); do
  curl -fsS "$xray/healthz" >/dev/null 2>&1 && break
  sleep 1
done
AWS_REGION="${AWS_REGION:-us-east-1}" AWS_EC2_METADATA_DISABLED=true \
  AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-standin}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-standin}" \
  AWS_ENDPOINT_URL_XRAY="$xray" AWS_ENDPOINT_URL_CLOUDWATCH_LOGS="http://127.0.0.1:${MOTO_PORT:-5000}" \
  node "$root/aws/setup.ts" --skip-query-definitions
