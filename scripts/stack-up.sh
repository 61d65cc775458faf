#!/usr/bin/env bash
# Starts the stack with the vendor selection the environment implies, waits until it is
# healthy, and says what runs where. A vendor is real when its credentials are set, otherwise
# its stand-in is used; the choice is expressed only as collector config files and the Rollbar
# endpoint, never in app code. The collector's files are the default profile of
# otel-collector/profiles.yaml (or COLLECTOR_PROFILE, e.g. stack-aws-otlp) plus the stand-in
# overlay of each vendor without credentials that the profile sends to.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
compose="$root/scripts/compose.sh"
# Node 24 runs the manifest's reader directly (`make up` puts the project's Node first on PATH).
profiles() { node "$root/otel-collector/profiles.ts" "$@"; }

profile_arg="${COLLECTOR_PROFILE:-default}"
takes=",$(profiles standins "$profile_arg"),"   # the stand-in vendors this profile can take
standins=()   # compose services
vendors=()    # the manifest's stand-in vendors, whose overlays the collector loads
compose_profiles=()
if [ -z "${HONEYCOMB_API_KEY:-}" ] && [[ $takes == *,honeycomb,* ]]; then
  standins+=(honeycomb-standin); vendors+=(honeycomb)
fi
if [ -z "${AWS_ACCESS_KEY_ID:-}" ] || [ -z "${AWS_SECRET_ACCESS_KEY:-}" ]; then
  # moto: X-Ray's data plane and CloudWatch Logs (overlay aws); xray-standin: X-Ray's sampling
  # rules and groups (overlay xray-control, the daemon role's proxy). Both start for either, so
  # aws-setup-standins.sh below can apply aws/json/ to both, as make aws-setup does to AWS.
  if [[ $takes == *,aws,* ]]; then vendors+=(aws); fi
  if [[ $takes == *,xray-control,* ]]; then vendors+=(xray-control); fi
  if [[ $takes == *,aws,* || $takes == *,xray-control,* ]]; then standins+=(moto xray-standin); fi
  if [[ $takes == *,aws-otlp,* ]]; then standins+=(aws-otlp-standin); vendors+=(aws-otlp); compose_profiles+=(--profile aws-otlp); fi
fi
# Head sampling: every trace unless SAMPLER=xray (make up SAMPLER=xray), which samples by the
# X-Ray rules the collector's proxy serves (docs/sampling.md). An explicit OTEL_TRACES_SAMPLER wins.
case "${SAMPLER:-}" in
  "") ;;
  xray) export OTEL_TRACES_SAMPLER="${OTEL_TRACES_SAMPLER:-xray}" ;;
  *) echo "SAMPLER must be xray or unset (every trace), not '${SAMPLER}'" >&2; exit 2 ;;
esac
# In the stack the sampling proxy is the collector service, not the sampler's default localhost.
if [ "${OTEL_TRACES_SAMPLER:-}" = xray ]; then
  export OTEL_TRACES_SAMPLER_ARG="${OTEL_TRACES_SAMPLER_ARG:-endpoint=http://otel-collector:2000}"
fi
if [ -z "${ROLLBAR_ACCESS_TOKEN:-}" ]; then
  standins+=(rollbar-standin)
else
  export ROLLBAR_ENDPOINT="${ROLLBAR_ENDPOINT:-}"
fi
vendor_list="$(IFS=,; echo "${vendors[*]:-none}")"
profile_name="$(profiles name "$profile_arg")"
# Repository-relative paths: the collector's working directory holds the same tree (compose mounts).
OTELCOL_ARGS="$(profiles args "$profile_arg" --standins "$vendor_list")"
export OTELCOL_ARGS
mapfile -t configs < <(profiles files "$profile_arg" --standins "$vendor_list")
# The local stack is for trying things: `make traffic` needs /debug/error for its 5xx.
export CRUDDUR_DEBUG_ROUTES="${CRUDDUR_DEBUG_ROUTES:-true}"

# The trace viewer runs whenever the profile loads its pipelines (viewer.yaml: the `local` profile).
viewer=()
for f in "${configs[@]}"; do
  if [ "$f" = otel-collector/config/viewer.yaml ]; then viewer=(trace-viewer); fi
done
profile=()
[ $(( ${#standins[@]} + ${#viewer[@]} )) -eq 0 ] || profile=(--profile local)
profile+=("${compose_profiles[@]}")
"$compose" "${profile[@]}" up -d --remove-orphans "${standins[@]}" "${viewer[@]}" app otel-collector frontend

echo "waiting for the app to be healthy..."
for _ in $(seq 1 60); do
  state="$(docker inspect --format '{{.State.Health.Status}}' "$("$compose" ps -q app)" 2>/dev/null || true)"
  [ "$state" = healthy ] && break
  sleep 1
done
if [ "${state:-}" != healthy ]; then
  echo "the app did not become healthy; recent logs:" >&2
  "$compose" logs --tail 30 app otel-collector >&2
  exit 1
fi

# Offline, the X-Ray rules and groups live in the stand-in: apply aws/json/ to it (and the log
# group to moto) as `make aws-setup` would to AWS. With real AWS credentials this is left to the
# user (`make aws-setup`): make up never changes an AWS account by itself.
aws_setup="not run (real AWS: make aws-setup)"
if [[ " ${vendors[*]:-} " == *" aws "* || " ${vendors[*]:-} " == *" xray-control "* ]]; then
  "$root/scripts/aws-setup-standins.sh" | sed 's/^/  /'
  aws_setup="applied to the stand-ins (X-Ray rule Cruddur served on 127.0.0.1:${XRAY_DAEMON_PORT:-2000})"
fi

cat <<SUMMARY

Cruddur is up.
  web front end    http://localhost:${FRONTEND_PORT:-3000}/   (its spans: nginx 127.0.0.1:${OTELCOL_BROWSER_PORT:-4328} -> collector browser ingest)
  API              http://127.0.0.1:${APP_PORT:-4567}/api/activities/home
  collector        OTLP gRPC 127.0.0.1:${OTLP_GRPC_PORT:-4317}, HTTP 127.0.0.1:${OTLP_HTTP_PORT:-4318}, X-Ray daemon udp/tcp 127.0.0.1:${XRAY_DAEMON_PORT:-2000}
                   health http://127.0.0.1:${OTELCOL_HEALTH_PORT:-13133}/  own metrics http://127.0.0.1:${OTELCOL_METRICS_PORT:-8888}/metrics
  collector config profile ${profile_name} (otel-collector/profiles.yaml), stand-in overlays: ${vendor_list}
                   ${configs[*]}
  stand-ins        ${standins[*]:-none (every vendor is real)}
  aws/json         ${aws_setup}
  trace sampler    ${OTEL_TRACES_SAMPLER:-every trace (make up SAMPLER=xray: by the X-Ray rules)}
${viewer:+  trace viewer     http://127.0.0.1:${VIEWER_PORT:-8000}/   (traces and logs as the collector sends them)
}
Next: make traffic   (drive every route)   make traces   (what each backend received)
      make queries   (the saved queries: tables + queries/out/report.html)
      make logs      (follow the containers)   make down
SUMMARY
