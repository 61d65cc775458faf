# Cruddur: the two commands a newcomer needs are `make up` and `make test`.
# Every target installs what it needs (Node 24 from the npm registry, npm deps, the collector
# built from source, Python stand-ins in a venv), so a fresh clone needs nothing done by hand.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

NODE_VERSION := 24.21.0
NODE_BIN := $(CURDIR)/.tools/node-v$(NODE_VERSION)/bin
export PATH := $(NODE_BIN):$(CURDIR)/.tools/bin:$(PATH)
# vitest/testcontainers honour CI; keep colours off in logs.
export FORCE_COLOR ?= 0

.PHONY: help setup build test test-unit run typecheck

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(NODE_BIN)/node:
	@./scripts/check-prerequisites.sh
	@NODE_VERSION=$(NODE_VERSION) ./scripts/ensure-node.sh >/dev/null

# npm ci only when the manifests changed since the last install.
node_modules/.package-lock.json: package-lock.json package.json app/package.json | $(NODE_BIN)/node
	npm ci --no-audit --no-fund
	@touch $@

setup: node_modules/.package-lock.json ## install Node 24 and npm dependencies

build: setup ## compile the app (TypeScript -> app/dist)
	@rm -rf app/dist
	npm run build --workspace app

typecheck: setup ## type-check app and tests
	npx tsc -p tsconfig.json --noEmit

test-unit: setup ## fast unit tests (the telemetry ones build and load the compiled app)
	npx vitest run --project unit

test: lint typecheck test-unit test-collector test-integration test-fast-reliability ## lint, then every test: unit, collector, integration (containers), fast reliability (OpenAPI, fuzz, malformed input, exposure)

run: build ## run the API on :4567 exporting OTLP/gRPC to $$OTEL_EXPORTER_OTLP_ENDPOINT (default localhost:4317)
	cd app && npm start

# collector.mk first: the others use its variables in prerequisites, expanded as they are read.
include mk/collector.mk
include $(filter-out mk/collector.mk,$(sort $(wildcard mk/*.mk)))
