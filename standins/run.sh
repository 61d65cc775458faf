#!/usr/bin/env bash
# Runs every stand-in in the foreground: moto (X-Ray's data plane, CloudWatch Logs APIs), the OTLP
# stand-in twice (as Honeycomb, and as the X-Ray / CloudWatch Logs OTLP endpoints), the X-Ray
# control-plane stand-in (sampling rules, targets, groups) and the Rollbar stand-in.
# `run.sh report` prints what each one holds.
#
# The keys below default to local-only values: the stand-ins accept exactly the key they are
# given, and the collector/app of a local run must be given the same one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

MOTO_PORT="${MOTO_PORT:-5000}"
HONEYCOMB_STANDIN_GRPC_ADDR="${HONEYCOMB_STANDIN_GRPC_ADDR:-127.0.0.1:14317}"
HONEYCOMB_STANDIN_HTTP_ADDR="${HONEYCOMB_STANDIN_HTTP_ADDR:-127.0.0.1:14318}"
ROLLBAR_STANDIN_ADDR="${ROLLBAR_STANDIN_ADDR:-127.0.0.1:18080}"
XRAY_STANDIN_ADDR="${XRAY_STANDIN_ADDR:-127.0.0.1:5100}"
AWS_OTLP_STANDIN_HTTP_ADDR="${AWS_OTLP_STANDIN_HTTP_ADDR:-127.0.0.1:14328}"

if [ "${1:-}" = "report" ]; then
  echo "== Honeycomb stand-in (http://$HONEYCOMB_STANDIN_HTTP_ADDR/standin/received)"
  curl -fsS "http://$HONEYCOMB_STANDIN_HTTP_ADDR/standin/received" | head -c 20000; echo
  echo "== AWS OTLP stand-in (http://$AWS_OTLP_STANDIN_HTTP_ADDR/standin/received)"
  curl -fsS "http://$AWS_OTLP_STANDIN_HTTP_ADDR/standin/received" | head -c 20000; echo
  echo "== Rollbar stand-in (http://$ROLLBAR_STANDIN_ADDR/standin/received)"
  curl -fsS "http://$ROLLBAR_STANDIN_ADDR/standin/received" | head -c 20000; echo
  echo "== X-Ray control-plane stand-in (http://$XRAY_STANDIN_ADDR/standin/received)"
  curl -fsS "http://$XRAY_STANDIN_ADDR/standin/received" | head -c 20000; echo
  echo "== moto (http://127.0.0.1:$MOTO_PORT): log groups"
  curl -fsS -X POST "http://127.0.0.1:$MOTO_PORT/" -H 'X-Amz-Target: Logs_20140328.DescribeLogGroups' \
    -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0' \
    -d '{}'; echo
  exit 0
fi

export HONEYCOMB_API_KEY="${HONEYCOMB_API_KEY:-local-standin-honeycomb-key}"
export ROLLBAR_ACCESS_TOKEN="${ROLLBAR_ACCESS_TOKEN:-local-standin-rollbar-token}"
# The key pair the AWS OTLP and X-Ray stand-ins accept: the one `make collector-run` signs with.
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait; }
trap cleanup EXIT INT TERM

"$root/.tools/venv/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" & pids+=($!)
"$root/.tools/bin/otlp-standin" -mode honeycomb -grpc-addr "$HONEYCOMB_STANDIN_GRPC_ADDR" -http-addr "$HONEYCOMB_STANDIN_HTTP_ADDR" & pids+=($!)
"$root/.tools/bin/otlp-standin" -mode aws -http-addr "$AWS_OTLP_STANDIN_HTTP_ADDR" & pids+=($!)
"$root/.tools/bin/rollbar-standin" -addr "$ROLLBAR_STANDIN_ADDR" & pids+=($!)
"$root/.tools/bin/xray-standin" -addr "$XRAY_STANDIN_ADDR" -state "$root/.tools/xray-standin-state.json" & pids+=($!)
echo "stand-ins running: moto http://127.0.0.1:$MOTO_PORT, Honeycomb $HONEYCOMB_STANDIN_GRPC_ADDR (gRPC) / http://$HONEYCOMB_STANDIN_HTTP_ADDR, AWS OTLP http://$AWS_OTLP_STANDIN_HTTP_ADDR, Rollbar http://$ROLLBAR_STANDIN_ADDR, X-Ray control plane http://$XRAY_STANDIN_ADDR"
echo "report: standins/run.sh report (or make standins-report)"
wait -n
