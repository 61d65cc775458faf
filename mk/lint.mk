# Lint and format. Biome (biome.jsonc) lints and formats every TypeScript tree in one pass: it needs
# no TypeScript compiler API, so it works with TypeScript 7. Go: gofmt and go vet for each module.
# Included by the root Makefile; `make test` runs `lint` first.

.PHONY: lint lint-ts lint-go format

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
