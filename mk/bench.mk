# Benchmarks. Not part of `make test`: they take minutes and their figures depend on the machine.
# Sources: bench/<benchmark>/ (app-overhead, collector-throughput, freshness, diag) and bench/lib/;
# results, notes and the generated RESULTS.md: docs/bench/; scratch: bench/out/. Included by the
# root Makefile.

.PHONY: bench bench-app bench-report bench-collector bench-freshness bench-stalls bench-export-cost telemetrygen

BENCH_VENV := $(CURDIR)/.tools/bench-venv

$(BENCH_VENV)/bin/python: bench/requirements.txt
	test -x $@ || python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	@touch $@

# The runner (with autocannon and the pass-through collector) is pinned to CPU 0; it starts
# every server under `taskset -c 1`, so load generation never competes with the measured app.
bench-app: build $(COLLECTOR_BIN) ## app overhead only: bare/none/floor/ours/naive side by side -> docs/bench/results/app-overhead.json
	taskset -c 0 node bench/app-overhead/main.ts

# Diagnostic, not part of `make bench`: why the fixed-rate p99 is what it is. Lines slow requests
# up with server event-loop stalls, GC pauses and export calls (bench/diag/, knobs in its header).
bench-stalls: build $(COLLECTOR_BIN) ## diagnose fixed-rate p99: server stalls vs GC vs exports, per telemetry setup
	taskset -c 0 node bench/diag/fixed-rate-stalls.ts

# Diagnostic: the OTLP serialiser's and the gRPC export call's own cost, outside the app.
bench-export-cost: setup $(COLLECTOR_BIN) ## OTLP trace serialisation and gRPC export cost per span and per call, outside the app
	taskset -c 0 node bench/diag/export-cost.ts

bench-report: $(BENCH_VENV)/bin/python ## regenerate docs/bench/RESULTS.md, docs/bench/app-overhead.png and docs/bench/pipeline.png from the stored results; prints the ratios
	node bench/report.ts
	$(BENCH_VENV)/bin/python bench/chart.py
	@node bench/report.ts --ratios

# One after the other, never side by side: each needs both cores to itself. ~27 minutes here.
bench: ## run every benchmark (needs both cores idle), write docs/bench/RESULTS.md + charts, print ratios
	@$(MAKE) bench-app
	@$(MAKE) bench-collector
	@$(MAKE) bench-freshness
	@$(MAKE) bench-report

# ---- end-to-end freshness ----------------------------------------------------------------------
# The real compose stack (Testcontainers, images from `make images`), one fresh stack per batching
# variant; FRESHNESS_VARIANTS and the other knobs are described in bench/freshness/main.ts.
bench-freshness: build images compose-tool ## freshness: response -> readable in X-Ray / CloudWatch (moto), p50/p95 per batching variant -> docs/bench/results/freshness.json
	node bench/freshness/main.ts

# ---- collector throughput ----------------------------------------------------------------------
# telemetrygen, the contrib OTLP load generator. The module proxy serves no v0.156.0 (the
# collector's contrib version) of it; v0.155.0 is the nearest older one it serves, as for the
# collector's replaced helper modules. In a versioned folder (like OCB): make installs it once,
# and bumping the version installs the new one.
TELEMETRYGEN_VERSION := v0.155.0
TELEMETRYGEN := $(CURDIR)/.tools/telemetrygen-$(TELEMETRYGEN_VERSION)/telemetrygen

$(TELEMETRYGEN):
	@./scripts/check-prerequisites.sh
	GOBIN=$(dir $@) CGO_ENABLED=0 $(GO) install -trimpath $(CONTRIB)/cmd/telemetrygen@$(TELEMETRYGEN_VERSION)

telemetrygen: $(TELEMETRYGEN) ## install telemetrygen (OTLP load generator, pinned) into .tools/telemetrygen-<version>/

# The runner, telemetrygen and the stand-ins share CPU 0; the collector under test is started
# with `taskset -c 1`, so its spans/s are per core. Minutes; BENCH_QUICK=1: short steps, for a
# smoke run (other knobs: bench/collector-throughput/main.ts).
bench-collector: setup $(COLLECTOR_BIN) standins $(TELEMETRYGEN) ## collector throughput: stepped OTLP load, fan-out vs pass-through -> docs/bench/results/collector-throughput.json
	TELEMETRYGEN=$(TELEMETRYGEN) TELEMETRYGEN_VERSION=$(TELEMETRYGEN_VERSION) GO=$(GO) taskset -c 0 node bench/collector-throughput/main.ts
