# Collector side: our ADOT-equivalent collector built from source, its configs, the stand-ins
# it is tested against, and the AWS resources it writes to. Included by the root Makefile.

.PHONY: collector collector-components validate standins standins-run standins-report \
        collector-run test-collector aws-setup

GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
OCB_VERSION := v0.156.0
# The builder lives in a versioned folder so bumping OCB_VERSION installs the new one.
OCB := $(CURDIR)/.tools/ocb-$(OCB_VERSION)/builder
COLLECTOR_DIR := otel-collector
COLLECTOR_BIN := $(COLLECTOR_DIR)/build/otelcol-cruddur
CONTRIB := github.com/open-telemetry/opentelemetry-collector-contrib
# The module proxy here has no checksum-database entry for these replacement modules (see
# builder-config.yaml). Only they skip the sumdb; their hashes are pinned in
# unverified-modules.sum instead and checked after every build.
UNVERIFIED_MODULES := $(CONTRIB)/internal/aws/xray,$(CONTRIB)/internal/aws/metrics,$(CONTRIB)/internal/aws/cwlogs,$(CONTRIB)/internal/aws/proxy

$(OCB):
	GOBIN=$(dir $@) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

# ocb builds with CGO_ENABLED=0, -trimpath and -ldflags "-s -w" (static, stripped); CGO and
# ldflags are also set here so a change of upstream default cannot make the binary dynamic.
# Make's timestamps skip the whole step when nothing changed; Go's build cache makes a rebuild
# after a manifest edit incremental. The binary is only put in place after the hash check.
$(COLLECTOR_BIN): $(COLLECTOR_DIR)/builder-config.yaml $(COLLECTOR_DIR)/unverified-modules.sum | $(OCB)
	mkdir -p $(COLLECTOR_DIR)/build/src
	cd $(COLLECTOR_DIR) && PATH="$(dir $(GO)):$$PATH" CGO_ENABLED=0 GONOSUMDB=$(UNVERIFIED_MODULES) \
	  $(OCB) --config builder-config.yaml --ldflags "-s -w"
	@grep -v '^#' $(COLLECTOR_DIR)/unverified-modules.sum | while read -r line; do \
	  grep -qxF "$$line" $(COLLECTOR_DIR)/build/src/go.sum || { echo "hash mismatch or missing in go.sum: $$line" >&2; exit 1; }; \
	done
	cp $(COLLECTOR_DIR)/build/src/otelcol-cruddur $@.tmp && mv $@.tmp $@

collector: $(COLLECTOR_BIN) ## build the collector (ADOT v0.49.0 components) from source: otel-collector/build/otelcol-cruddur

collector-components: $(COLLECTOR_BIN) ## list the components compiled into the collector
	$(COLLECTOR_BIN) components

# The collector's config files, in merge order, from otel-collector/profiles.yaml (the one list).
PROFILES := node $(COLLECTOR_DIR)/profiles.ts

# Every profile of otel-collector/profiles.yaml, bare and with its stand-in overlays (`list`).
# Run with an empty environment but the region (AWS exporters resolve it when they are built,
# and must never fall back to instance metadata here): every profile must be valid on its
# defaults alone, with no secret set.
validate: setup $(COLLECTOR_BIN) ## validate every profile of otel-collector/profiles.yaml, with and without its stand-in overlays
	@$(PROFILES) list | while IFS=$$'\t' read -r name files; do \
	  args=""; for f in $$files; do args="$$args --config $$f"; done; \
	  if env -i PATH=/usr/bin:/bin AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true XRAY_DAEMON_HOST=127.0.0.1 XRAY_DAEMON_PORT=0 $(COLLECTOR_BIN) validate $$args; then echo "valid: $$name"; \
	  else echo "INVALID: $$name ($$files)" >&2; exit 1; fi; \
	done

# ---- stand-ins -------------------------------------------------------------------------------
STANDIN_VENV := $(CURDIR)/.tools/venv
MOTO_SERVER := $(STANDIN_VENV)/bin/moto_server
LOCAL_STANDIN_BINS := $(CURDIR)/.tools/bin/honeycomb-standin $(CURDIR)/.tools/bin/rollbar-standin
LOCAL_STANDIN_SRC := $(shell find standins -name '*.go') standins/go.mod standins/go.sum

$(MOTO_SERVER): standins/moto/requirements.txt
	test -x $(STANDIN_VENV)/bin/python || python3 -m venv $(STANDIN_VENV)
	$(STANDIN_VENV)/bin/pip install --quiet --disable-pip-version-check -r standins/moto/requirements.txt
	@touch $@

$(LOCAL_STANDIN_BINS) &: $(LOCAL_STANDIN_SRC)
	mkdir -p $(CURDIR)/.tools/bin
	cd standins && CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(CURDIR)/.tools/bin/ ./cmd/...

standins: $(MOTO_SERVER) $(LOCAL_STANDIN_BINS) ## install moto (pinned, venv) and build the Honeycomb and Rollbar stand-ins

standins-run: standins ## run moto, the Honeycomb and the Rollbar stand-ins in the foreground (Ctrl-C stops them)
	standins/run.sh

standins-report: ## print what each running stand-in has received
	standins/run.sh report

# The profile `make up` runs (profiles.yaml's default) with every stand-in overlay.
# Local defaults match standins/run.sh (local-only key, dummy AWS credentials: moto accepts any).
collector-run: setup collector ## run the collector with the default profile and every stand-in overlay (needs standins-run)
	args="$$($(PROFILES) args default --standins all)"; \
	HONEYCOMB_API_KEY="$${HONEYCOMB_API_KEY:-local-standin-honeycomb-key}" AWS_REGION="$${AWS_REGION:-us-east-1}" \
	AWS_ACCESS_KEY_ID="$${AWS_ACCESS_KEY_ID:-local}" AWS_SECRET_ACCESS_KEY="$${AWS_SECRET_ACCESS_KEY:-local}" \
	OTELCOL_STORAGE_DIR="$${OTELCOL_STORAGE_DIR:-$(CURDIR)/.tools/otelcol-storage}" \
	$(COLLECTOR_BIN) $$args

# ---- tests and AWS resources -----------------------------------------------------------------
test-collector: setup collector standins ## run the real collector binary against the stand-ins (vitest project "collector")
	npx vitest run --project collector

aws-setup: setup ## create or update the X-Ray group, sampling rule and log group (idempotent; AWS_ENDPOINT_URL to override)
	node aws/setup.ts
