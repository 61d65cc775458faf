# Tests: `make test` runs every test CI runs. Vitest projects (vitest.config.ts): unit,
# collector (the real binary vs local stand-ins), integration (the compose stack) and
# reliability (fuzz, malformed input, exposure, secrets, outages, overload; docs/reliability.md).
# Lint and format: Biome (biome.jsonc) lints and formats every TypeScript tree in one pass; it
# needs no TypeScript compiler API, so it works with TypeScript 7. Go: gofmt and go vet per module.
.PHONY: test lint lint-ts lint-go format typecheck test-unit test-go validate test-collector test-integration test-fast-reliability test-reliability-ci test-reliability fuzz

test: lint typecheck test-unit test-go test-frontend test-collector test-integration test-reliability-ci ## every test CI runs: lint, typecheck, unit, Go, front end, collector, integration (containers), reliability but the memory bound (~10 min warm)

# ---- lint and format ---------------------------------------------------------------------------
BIOME := node_modules/.bin/biome
# Biome colours even a pipe; the root Makefile's FORCE_COLOR=0 (logs) turns that off.
BIOME_FLAGS := $(if $(filter 0,$(FORCE_COLOR)),--colors=off)
GO_MODULES := standins docker/httpprobe
# Recursively expanded: Go is only asked for its GOROOT when a Go target runs.
GOFMT = $(shell $(GO) env GOROOT)/bin/gofmt

lint: lint-ts lint-go ## check everything, changing nothing: Biome lint + format (TypeScript), gofmt + go vet (Go)

# `biome ci` is the read-only `check`: lint rules, formatting and import suffixes, all as errors.
lint-ts: setup
	$(BIOME) ci $(BIOME_FLAGS) --error-on-warnings --max-diagnostics=none .

lint-go:
	@unformatted="$$($(GOFMT) -l $(GO_MODULES))"; \
	if [ -n "$$unformatted" ]; then printf 'gofmt: not formatted (run make format):\n%s\n' "$$unformatted" >&2; exit 1; fi
	@for module in $(GO_MODULES); do (cd $$module && $(GO) vet ./...) || exit 1; done

# Biome marks these three fixes unsafe, but each changes only how a type or a key is spelled
# (a['b'] -> a.b, Array<T> -> T[], method -> property signature), never what runs; tsc checks them.
TYPE_LEVEL_FIXES := complexity/useLiteralKeys style/useConsistentArrayType style/useConsistentMethodSignatures

# What no fix can settle (an overloaded method signature, say) is left to the last step, which lists
# every finding that remains and fails if there is one.
format: setup ## apply the formatters and every fix that cannot change behaviour; lists what is left to do by hand
	$(GOFMT) -w $(GO_MODULES)
	$(BIOME) lint $(BIOME_FLAGS) --write --unsafe --max-diagnostics=0 $(addprefix --only=,$(TYPE_LEVEL_FIXES)) . >/dev/null 2>&1 || true
	$(BIOME) check $(BIOME_FLAGS) --write --max-diagnostics=none .

# ---- tests ---------------------------------------------------------------------------------------
typecheck: setup ## type-check every TypeScript tree
	npx tsc -p tsconfig.json --noEmit

test-unit: setup deploy-venv ## fast unit tests (the telemetry ones build and load the compiled app)
	npx vitest run --project unit

test-go: ## Go unit tests of the stand-ins (the SigV4 verifier against requests the AWS SDK signs, the OTLP stand-in's modes)
	@for module in $(GO_MODULES); do (cd $$module && $(GO) test ./...) || exit 1; done

# Run with an empty environment but the region (AWS exporters resolve it when they are built,
# and must never fall back to instance metadata here): every profile of the manifest, bare and
# with its stand-in overlays, must be valid on its defaults alone, with no secret set. The one
# exception is SigV4 signing (aws-sigv4.yaml): sigv4auth resolves credentials while the config
# is validated, so profiles with it get an obviously fake key pair (nothing checks it).
SIGV4_VALIDATE_ENV := AWS_ACCESS_KEY_ID=validate-only-not-a-key AWS_SECRET_ACCESS_KEY=validate-only-not-a-secret
validate: setup collector collector-agent ## validate every collector profile of otel-collector/profiles.yaml with the real binary (its build's)
	@node otel-collector/profiles.ts list | while IFS=$$'\t' read -r name files; do \
	  args=""; for f in $$files; do args="$$args --config $$f"; done; \
	  bin=$$(node otel-collector/profiles.ts binary $${name%+standins}) || exit 1; \
	  case " $$files " in *" otel-collector/config/aws-sigv4.yaml "*) creds="$(SIGV4_VALIDATE_ENV)";; *) creds="";; esac; \
	  if env -i PATH=/usr/bin:/bin AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true XRAY_DAEMON_HOST=127.0.0.1 XRAY_DAEMON_PORT=0 $$creds $$bin validate $$args; then echo "valid: $$name ($$bin)"; \
	  else echo "INVALID: $$name ($$files)" >&2; exit 1; fi; \
	done

test-collector: setup collector collector-agent standins chromium ## the real collector binary against the stand-ins (vitest project "collector")
	npx vitest run --project collector

test-integration: build images compose-tool chromium ## Testcontainers: the compose stack from the real images, fan-out proven end to end; the front end and the trace viewer in Debian chromium
	npx vitest run --project integration

# The fast ones: fuzz (bounded to FUZZ_MAX_TIME, default 75 s), the OpenAPI document checked
# against the app, malformed OTLP/UDP to the collector binary, and the stack's exposure.
RELIABILITY_FAST := test/reliability/openapi.test.ts test/reliability/fuzz.test.ts \
  test/reliability/malformed-input.test.ts test/reliability/exposure.test.ts

test-fast-reliability: build fuzz-venv collector standins images compose-tool ## fast reliability tests: OpenAPI document, fuzz, malformed input, exposure
	npx vitest run --project reliability $(RELIABILITY_FAST)

# Canary credentials (not secrets), exported for the whole target and so for its prerequisites
# (for `make test` too): the images this run builds are built with them in the environment, and
# the secrets test (which refuses any value that does not say "canary") looks for them in every
# layer. Every other test pins the environment it runs with.
test test-reliability test-reliability-ci: export HONEYCOMB_API_KEY := canary-reliability-honeycomb-key
test test-reliability test-reliability-ci: export ROLLBAR_ACCESS_TOKEN := canary-reliability-rollbar-token
test test-reliability test-reliability-ci: export AWS_ACCESS_KEY_ID := AKIACANARYRELIABLE01
test test-reliability test-reliability-ci: export AWS_SECRET_ACCESS_KEY := canary-reliability-aws-secret-access-key

test-reliability: build fuzz-venv collector standins images compose-tool ## every reliability test: the fast ones plus outages, memory bound, overload, secrets (~13 min)
	npx vitest run --project reliability

# What CI runs: every reliability test but memory-bound. That one holds the app's RSS growth
# through a 5-minute collector outage to 50 MB and measured +46.1 and +49.8 MB in the two
# fresh-clone runs of 2026-11-27 (docs/reliability.md): at that margin a CI gate fails by chance.
# It stays in `make test-reliability` until the app's buffering costs less (or the bound is
# re-decided), never loosened to pass.
RELIABILITY_CI := $(filter-out test/reliability/memory-bound.test.ts,$(sort $(wildcard test/reliability/*.test.ts)))

test-reliability-ci: build fuzz-venv collector standins images compose-tool ## the reliability tests make test runs: all but the memory bound, browser-burst included (~9 min)
	npx vitest run --project reliability $(RELIABILITY_CI)

fuzz: build fuzz-venv ## only the schemathesis run (FUZZ_MAX_TIME, FUZZ_MAX_EXAMPLES, FUZZ_SEED to tune or replay)
	npx vitest run --project reliability test/reliability/fuzz.test.ts
