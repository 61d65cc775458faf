# The stack: run Cruddur and look at what it emits. `make up` does every step a fresh machine
# needs; the vendor selection (real vendor or stand-in) follows from the credentials present.
.PHONY: up down logs ps traffic traces queries run collector-run standins-run standins-report aws-setup

# SAMPLER=xray: the app samples by the X-Ray rules (aws/json/xray.json, 0.1 + 5/s) instead of
# keeping every trace; see docs/sampling.md.
up: ## set up everything (toolchain, deps, collector, images) and start the stack (SAMPLER=xray: sample by the X-Ray rules)
	@echo "==> [1/4] Node 24, npm dependencies, app build"
	@$(MAKE) build
	@echo "==> [2/4] collector from source (cold: several minutes; warm: seconds)"
	@$(MAKE) collector
	@echo "==> [3/4] Docker engine, base images and images"
	@$(MAKE) images
	@echo "==> [4/4] starting the stack"
	@./scripts/stack-up.sh

# Compose reads the whole file, so the collector's required OTELCOL_ARGS (set by
# scripts/stack-up.sh) needs a value even for commands that do not start anything.
COMPOSE_EXISTING := OTELCOL_ARGS="$${OTELCOL_ARGS:-unused}" ./scripts/compose.sh --profile local --profile aws-otlp

down: ## stop the stack and remove its containers and queue volume
	@$(COMPOSE_EXISTING) down -v --remove-orphans

logs: ## follow the stack's logs
	@$(COMPOSE_EXISTING) logs -f --tail 50

ps: ## what is running
	@$(COMPOSE_EXISTING) ps

traffic: setup ## drive every route (4xx, 5xx, /rollbar/test) and one X-Ray daemon segment
	@node tools/traffic.ts

traces: setup ## recent traces as the stand-ins hold them: waterfall, X-Ray segments, log events, Rollbar items
	@node tools/traces.ts $(if $(TRACE),--trace $(TRACE)) $(if $(LAST),--last $(LAST))

# With HONEYCOMB_API_KEY (a configuration key): create or update the queries, their annotations and
# the board in Honeycomb. Without: evaluate them with DuckDB over the Honeycomb stand-in's spans,
# print the tables and write queries/out/report.html (queries/README.md).
queries: setup ## the saved queries (queries/honeycomb/): saved to Honeycomb with a key, else evaluated offline -> queries/out/report.html
	@node queries/cli.ts

# ---- the pieces as local processes, without containers --------------------------------------
run: build ## run the API on :4567 exporting OTLP/gRPC to OTEL_EXPORTER_OTLP_ENDPOINT (default localhost:4317)
	cd app && npm start

standins-run: standins ## run moto, the OTLP stand-in (as Honeycomb and as the AWS OTLP endpoints), the Rollbar and the X-Ray control-plane stand-ins in the foreground (Ctrl-C stops them)
	standins/run.sh

standins-report: ## print what each running stand-in has received
	standins/run.sh report

# Local defaults match standins/run.sh (local-only key, dummy AWS credentials: moto accepts any).
collector-run: setup collector ## run the collector with the default profile (or COLLECTOR_PROFILE) and every stand-in overlay (needs standins-run)
	HONEYCOMB_API_KEY="$${HONEYCOMB_API_KEY:-local-standin-honeycomb-key}" AWS_REGION="$${AWS_REGION:-us-east-1}" \
	AWS_ACCESS_KEY_ID="$${AWS_ACCESS_KEY_ID:-local}" AWS_SECRET_ACCESS_KEY="$${AWS_SECRET_ACCESS_KEY:-local}" \
	OTELCOL_STORAGE_DIR="$${OTELCOL_STORAGE_DIR:-$(TOOLS)/otelcol-storage}" \
	otel-collector/build/otelcol-cruddur $$(node otel-collector/profiles.ts args $${COLLECTOR_PROFILE:-default} --standins all)

aws-setup: setup ## create or update the X-Ray group, sampling rule and log group (idempotent; AWS_ENDPOINT_URL to override)
	node aws/setup.ts

# ---- the agent -> gateway tier (otel-collector/README.md, "Agent and gateway") -------------------
.PHONY: up-gateway down-gateway
GATEWAY_COMPOSE = OTELCOL_ARGS="$${OTELCOL_ARGS:-unused}" \
  OTELCOL_GATEWAY_ARGS="$$(node otel-collector/profiles.ts args gateway --standins all)" \
  OTELCOL_AGENT_ARGS="$$(node otel-collector/profiles.ts args agent --standins all)" \
  ./scripts/compose.sh --profile local --profile gateway

up-gateway: collector collector-agent images compose-tool ## start GATEWAY_REPLICAS (3) gateways behind an agent (OTLP on 127.0.0.1:4417/4418), every vendor a stand-in
	@$(GATEWAY_COMPOSE) up -d honeycomb-standin moto xray-standin aws-otlp-standin gateway otel-agent
	@echo "waiting for the agent (it starts once every gateway is healthy)..."
	@for _ in $$(seq 1 60); do \
	  [ "$$(docker inspect -f '{{.State.Health.Status}}' "$$($(GATEWAY_COMPOSE) ps -q otel-agent)" 2>/dev/null)" = healthy ] && break; sleep 1; \
	done; [ "$$(docker inspect -f '{{.State.Health.Status}}' "$$($(GATEWAY_COMPOSE) ps -q otel-agent)")" = healthy ] || { echo "the agent is not healthy" >&2; exit 1; }
	@echo "agent: OTLP/gRPC 127.0.0.1:$${AGENT_OTLP_GRPC_PORT:-4417}, OTLP/HTTP 127.0.0.1:$${AGENT_OTLP_HTTP_PORT:-4418}, X-Ray daemon udp/tcp 127.0.0.1:$${AGENT_XRAY_DAEMON_PORT:-2100}; gateways: $${GATEWAY_REPLICAS:-3}"

down-gateway: ## stop the gateway tier
	@$(GATEWAY_COMPOSE) down -v --remove-orphans
