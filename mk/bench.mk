# Benchmarks (issue 6). Not part of `make test`: they take minutes and their figures depend on
# the machine. Included by the root Makefile.

.PHONY: bench bench-app bench-report

BENCH_VENV := $(CURDIR)/.tools/bench-venv

$(BENCH_VENV)/bin/python: bench/requirements.txt
	test -x $@ || python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	@touch $@

# The runner (with autocannon and the pass-through collector) is pinned to CPU 0; it starts
# every server under `taskset -c 1`, so load generation never competes with the measured app.
bench-app: build $(COLLECTOR_BIN) ## app overhead only: bare/none/floor/ours/naive side by side -> bench/results/app-overhead.json
	taskset -c 0 node bench/app-overhead.ts

bench-report: $(BENCH_VENV)/bin/python ## regenerate bench/RESULTS.md and bench/app-overhead.png from the stored results; prints the ratios
	node bench/report.ts
	$(BENCH_VENV)/bin/python bench/chart.py
	@node bench/report.ts --ratios

bench: ## run the benchmarks (minutes; needs both cores idle), write bench/RESULTS.md + chart, print ratios
	@$(MAKE) bench-app
	@$(MAKE) bench-report
