# Toolchain: what the other targets build and test with, installed into .tools/ (or, for the
# Docker engine and compose, from Debian) on first use. Nothing here is the product.
.PHONY: setup docker chromium compose-tool base-images ocb telemetrygen moto fuzz-venv bench-venv deploy-venv xray-clients

# ---- Node 24 and npm dependencies -----------------------------------------------------------
$(NODE_BIN)/node:
	@./scripts/check-prerequisites.sh
	@NODE_VERSION=$(NODE_VERSION) ./scripts/ensure-node.sh >/dev/null

# npm ci only when the manifests changed since the last install.
node_modules/.package-lock.json: package-lock.json package.json app/package.json testkit/package.json | $(NODE_BIN)/node
	npm ci --no-audit --no-fund
	@touch $@

setup: node_modules/.package-lock.json ## install Node 24 and npm dependencies

# ---- Docker ---------------------------------------------------------------------------------
docker: ## install and start a Docker engine if none answers (Debian, root)
	@./scripts/ensure-docker.sh

chromium: ## install Debian's chromium for the browser tests (playwright-core drives it)
	@./scripts/ensure-chromium.sh >/dev/null

compose-tool: docker
	@./scripts/compose.sh version >/dev/null

base-images: docker ## make the Debian base images with debootstrap when absent
	@./scripts/ensure-base-images.sh

# ---- Go tools, each in a versioned folder so a version bump installs the new one --------------
CONTRIB := github.com/open-telemetry/opentelemetry-collector-contrib
OCB_VERSION := v0.156.0
OCB := $(TOOLS)/ocb-$(OCB_VERSION)/builder

$(OCB):
	GOBIN=$(dir $@) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

ocb: $(OCB) ## install the OpenTelemetry Collector Builder (pinned)

# telemetrygen, the contrib OTLP load generator. The module proxy serves no v0.156.0 (the
# collector's contrib version) of it; v0.155.0 is the nearest older one it serves.
TELEMETRYGEN_VERSION := v0.155.0
TELEMETRYGEN := $(TOOLS)/telemetrygen-$(TELEMETRYGEN_VERSION)/telemetrygen

$(TELEMETRYGEN):
	@./scripts/check-prerequisites.sh
	GOBIN=$(dir $@) CGO_ENABLED=0 $(GO) install -trimpath $(CONTRIB)/cmd/telemetrygen@$(TELEMETRYGEN_VERSION)

telemetrygen: $(TELEMETRYGEN) ## install telemetrygen (OTLP load generator, pinned)

# ---- Python venvs, one per purpose: their pinned libraries disagree ---------------------------
MOTO_VENV := $(TOOLS)/venv
FUZZ_VENV := $(TOOLS)/fuzz-venv
BENCH_VENV := $(TOOLS)/bench-venv
XRAY_VENV := $(TOOLS)/xray-venv

$(MOTO_VENV)/bin/moto_server: standins/moto/requirements.txt
	test -x $(MOTO_VENV)/bin/python || python3 -m venv $(MOTO_VENV)
	$(MOTO_VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

$(FUZZ_VENV)/bin/st: test/reliability/fuzz/requirements.txt
	test -x $(FUZZ_VENV)/bin/python || python3 -m venv $(FUZZ_VENV)
	$(FUZZ_VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

$(BENCH_VENV)/bin/python: bench/requirements.txt
	test -x $@ || python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

DEPLOY_VENV := $(TOOLS)/deploy-venv

# The deployment files' offline validators: cfn-lint, botocore, kubernetes-validate (schemas in the wheel).
$(DEPLOY_VENV)/bin/kubernetes-validate: deploy/requirements.txt
	test -x $(DEPLOY_VENV)/bin/python || python3 -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

$(XRAY_VENV)/bin/aws: test/sampling/requirements.txt
	test -x $(XRAY_VENV)/bin/python || python3 -m venv $(XRAY_VENV)
	$(XRAY_VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

moto: $(MOTO_VENV)/bin/moto_server ## install moto (pinned) into .tools/venv
xray-clients: $(XRAY_VENV)/bin/aws ## install the AWS CLI and the X-Ray SDK for Python (pinned) into .tools/xray-venv
fuzz-venv: $(FUZZ_VENV)/bin/st ## install schemathesis (pinned) into .tools/fuzz-venv
deploy-venv: $(DEPLOY_VENV)/bin/kubernetes-validate ## install the deployment validators (pinned) into .tools/deploy-venv
bench-venv: $(BENCH_VENV)/bin/python ## install the chart libraries (pinned) into .tools/bench-venv
