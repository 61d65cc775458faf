# Benchmarks: not part of `make test`; they take minutes, need both cores idle, and their
# figures depend on the machine. Sources: bench/<benchmark>/ (app-overhead, collector-throughput,
# freshness, diag) and bench/lib/; results, notes and the generated RESULTS.md: docs/bench/;
# scratch: bench/out/.
.PHONY: bench bench-app bench-app-ab bench-report bench-collector bench-freshness bench-frontend bench-stalls bench-export-cost bench-gateway

# The runner (with autocannon and the pass-through collector) is pinned to CPU 0; it starts
# every server under `taskset -c 1`, so load generation never competes with the measured app.
bench-app: build collector ## app overhead only: bare/none/floor/ours/naive side by side -> docs/bench/results/app-overhead.json
	taskset -c 0 node bench/app-overhead/main.ts

# Diagnostic: several builds of the app side by side in one run (before/after a change), server
# CPU per request at saturation; AB_BUILDS names them (bench/diag/app-ab.ts). ~1 min per build per round.
bench-app-ab: build collector ## compare app builds side by side: CPU/request at saturation (AB_BUILDS, see bench/diag/app-ab.ts)
	taskset -c 0 node bench/diag/app-ab.ts

# Diagnostic, not part of `make bench`: why the fixed-rate p99 is what it is. Lines slow requests
# up with server event-loop stalls, GC pauses and export calls (bench/diag/, knobs in its header).
bench-stalls: build collector ## diagnose fixed-rate p99: server stalls vs GC vs exports, per telemetry setup
	taskset -c 0 node bench/diag/fixed-rate-stalls.ts

# Diagnostic: the OTLP serialiser's and the gRPC export call's own cost, outside the app.
bench-export-cost: setup collector ## OTLP trace serialisation and gRPC export cost per span and per call, outside the app
	taskset -c 0 node bench/diag/export-cost.ts

bench-report: setup bench-venv ## regenerate docs/bench/RESULTS.md and its two charts from the stored results; prints the ratios
	node bench/report.ts
	$(BENCH_VENV)/bin/python bench/chart.py
	@node bench/report.ts --ratios

# One after the other, never side by side: each needs both cores to itself. ~27 minutes here.
bench: ## run every benchmark (needs both cores idle), write docs/bench/RESULTS.md + charts, print ratios
	@$(MAKE) bench-app
	@$(MAKE) bench-collector
	@$(MAKE) bench-freshness
	@$(MAKE) bench-report

# The real compose stack (Testcontainers, images from `make images`), one fresh stack per batching
# variant; FRESHNESS_VARIANTS and the other knobs are described in bench/freshness/main.ts.
bench-freshness: build images compose-tool ## freshness: response -> readable in X-Ray / CloudWatch (moto), p50/p95 per batching variant -> docs/bench/results/freshness.json
	node bench/freshness/main.ts

# The runner, telemetrygen and the stand-ins share CPU 0; the collector under test is started
# with `taskset -c 1`, so its spans/s are per core. Minutes; BENCH_QUICK=1: short steps, for a
# smoke run (other knobs: bench/collector-throughput/main.ts).
bench-collector: setup collector standins telemetrygen ## collector throughput: stepped OTLP load, fan-out vs pass-through -> docs/bench/results/collector-throughput.json
	TELEMETRYGEN=$(TELEMETRYGEN) TELEMETRYGEN_VERSION=$(TELEMETRYGEN_VERSION) GO=$(GO) taskset -c 0 node bench/collector-throughput/main.ts

# The real compose stack and Debian's chromium: the page with and without its telemetry, same
# build and server (config.json rewritten in flight), modes alternating. ~2 minutes.
bench-frontend: build images compose-tool chromium ## front end: gzip bytes the telemetry adds and time to first feed, with vs without -> docs/bench/results/frontend.json
	node bench/frontend/main.ts

# Not part of `make bench` yet: the agent -> gateway tier against the single collector, CPU per
# span side by side, and spans/s per gateway core with tail sampling on (bench/gateway-tier/).
bench-gateway: setup collector collector-agent standins ## agent -> gateway vs single collector: CPU per span, spans/s per gateway core -> docs/bench/results/gateway-tier.json
	node bench/gateway-tier/main.ts
