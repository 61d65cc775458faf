# The whole stack in containers: `make up` does every step a fresh machine needs.
.PHONY: up down logs ps traffic traces

up: ## set up everything (toolchain, deps, collector, images) and start the stack
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
COMPOSE_EXISTING := OTELCOL_ARGS="$${OTELCOL_ARGS:-unused}" ./scripts/compose.sh --profile local

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

.PHONY: compose-tool test-integration
compose-tool: docker
	@./scripts/compose.sh version >/dev/null

test-integration: images compose-tool ## Testcontainers: the compose stack from the real images, fan-out proven end to end
	npx vitest run --project integration
