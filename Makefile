# Cruddur. The two commands a newcomer needs are `make up` and `make test`; `make help` lists
# the rest. Every target installs what it needs, so a fresh clone needs nothing done by hand.
#
# The targets live in mk/, one file per audience (toolchain, build, test, stack, bench). Each
# file stands on its own: its prerequisites use only the variables below and its own, and reach
# other files through target names, so the include order does not matter (recipes may use
# another file's variables: they expand when they run).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# The project's own tools (Node, Go tools, venvs, stand-in binaries) live in .tools/.
TOOLS := $(CURDIR)/.tools
NODE_VERSION := 24.21.0
NODE_BIN := $(TOOLS)/node-v$(NODE_VERSION)/bin
GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
export PATH := $(NODE_BIN):$(TOOLS)/bin:$(PATH)
# vitest/testcontainers honour CI; keep colours off in logs.
export FORCE_COLOR ?= 0

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  make %-22s %s\n", $$1, $$2}'

include $(sort $(wildcard mk/*.mk))
