# Build: the app, our collector, the stand-ins, and every container image, all from source in
# this repository (no registry is reachable: base images are made locally, see BASE_IMAGES).
.PHONY: build collector collector-agent collector-components standins httpprobe node-image app-image collector-image frontend-image standin-images viewer viewer-image images

build: setup ## compile the app (TypeScript -> app/dist)
	@rm -rf app/dist
	npm run build --workspace app

# ---- the collector --------------------------------------------------------------------------
COLLECTOR_DIR := otel-collector
COLLECTOR_BIN := $(COLLECTOR_DIR)/build/otelcol-cruddur
# The module proxy here has no checksum-database entry for these replacement modules (see
# builder-config.yaml). Only they skip the sumdb; their hashes are pinned in
# unverified-modules.sum instead and checked after every build.
# Recursively expanded: CONTRIB (toolchain.mk) is read when the recipe runs.
UNVERIFIED_MODULES = $(CONTRIB)/internal/aws/xray,$(CONTRIB)/internal/aws/metrics,$(CONTRIB)/internal/aws/cwlogs,$(CONTRIB)/internal/aws/proxy

# ocb builds with CGO_ENABLED=0, -trimpath and -ldflags "-s -w" (static, stripped); CGO and
# ldflags are also set here so a change of upstream default cannot make the binary dynamic.
# Make's timestamps skip the whole step when nothing changed; Go's build cache makes a rebuild
# after a manifest edit incremental. The binary is only put in place after the hash check.
$(COLLECTOR_BIN): $(COLLECTOR_DIR)/builder-config.yaml $(COLLECTOR_DIR)/unverified-modules.sum | ocb
	mkdir -p $(COLLECTOR_DIR)/build/src
	cd $(COLLECTOR_DIR) && PATH="$(dir $(GO)):$$PATH" CGO_ENABLED=0 GONOSUMDB=$(UNVERIFIED_MODULES) \
	  $(OCB) --config builder-config.yaml --ldflags "-s -w"
	@grep -v '^#' $(COLLECTOR_DIR)/unverified-modules.sum | while read -r line; do \
	  grep -qxF "$$line" $(COLLECTOR_DIR)/build/src/go.sum || { echo "hash mismatch or missing in go.sum: $$line" >&2; exit 1; }; \
	done
	cp $(COLLECTOR_DIR)/build/src/otelcol-cruddur $@.tmp && mv $@.tmp $@

collector: $(COLLECTOR_BIN) ## build the collector (ADOT v0.49.0 components) from source: otel-collector/build/otelcol-cruddur

# The agent build (builder-config-agent.yaml): the agent role's components, loadbalancing among
# them, at contrib v0.161.0 - the proxy refuses loadbalancing at ADOT's v0.156.0 (README.md,
# "Agent and gateway"). Its own ocb version, since ocb and the collector core move together.
OCB_AGENT_VERSION := v0.161.0
OCB_AGENT := $(TOOLS)/ocb-$(OCB_AGENT_VERSION)/builder
COLLECTOR_AGENT_BIN := $(COLLECTOR_DIR)/build/otelcol-cruddur-agent

$(OCB_AGENT):
	GOBIN=$(dir $@) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_AGENT_VERSION)

$(COLLECTOR_AGENT_BIN): $(COLLECTOR_DIR)/builder-config-agent.yaml | $(OCB_AGENT)
	mkdir -p $(COLLECTOR_DIR)/build/agent-src
	cd $(COLLECTOR_DIR) && PATH="$(dir $(GO)):$$PATH" CGO_ENABLED=0 $(OCB_AGENT) --config builder-config-agent.yaml --ldflags "-s -w"
	cp $(COLLECTOR_DIR)/build/agent-src/otelcol-cruddur-agent $@.tmp && mv $@.tmp $@

collector-agent: $(COLLECTOR_AGENT_BIN) ## build the agent collector (loadbalancing; contrib v0.161.0): otel-collector/build/otelcol-cruddur-agent

collector-components: collector ## list the components compiled into the collector
	$(COLLECTOR_BIN) components

# ---- stand-ins: moto (installed) and our Go stand-ins (built) -------------------------------
LOCAL_STANDIN_BINS := $(TOOLS)/bin/otlp-standin $(TOOLS)/bin/rollbar-standin $(TOOLS)/bin/xray-standin
LOCAL_STANDIN_SRC := $(shell find standins -name '*.go') standins/go.mod standins/go.sum

$(LOCAL_STANDIN_BINS) &: $(LOCAL_STANDIN_SRC)
	mkdir -p $(TOOLS)/bin
	cd standins && CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(TOOLS)/bin/ ./cmd/...

standins: moto xray-clients $(LOCAL_STANDIN_BINS) ## install moto and the X-Ray clients (pinned, venvs) and build the OTLP (Honeycomb, AWS OTLP), Rollbar and X-Ray control-plane stand-ins

HTTPPROBE := .build/bin/httpprobe

$(HTTPPROBE): docker/httpprobe/main.go docker/httpprobe/go.mod
	cd docker/httpprobe && CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(CURDIR)/$@ .

httpprobe: $(HTTPPROBE)

# ---- images ---------------------------------------------------------------------------------
# Dockerfiles take their base images as build args defaulting to the public ones, so a
# connected machine builds them unchanged. BASE_IMAGES=local (default here: no registry) makes
# the bases with debootstrap; BASE_IMAGES=public uses the public images.
IMAGE_TAG ?= dev
APP_IMAGE ?= cruddur/app:$(IMAGE_TAG)
COLLECTOR_IMAGE ?= cruddur/otel-collector:$(IMAGE_TAG)
BASE_IMAGES ?= local
ifeq ($(BASE_IMAGES),public)
NODE_IMAGE ?= node:24-bookworm-slim
CA_IMAGE ?= debian:bookworm-slim
NGINX_BASE_IMAGE ?= debian:bookworm-slim
PYTHON_IMAGE ?= python:3.11-slim-bookworm
BASES := docker
NODE_RUNTIME := docker
else
NODE_IMAGE ?= cruddur/node:$(NODE_VERSION)
CA_IMAGE ?= cruddur/debian:bookworm
NGINX_BASE_IMAGE ?= cruddur/nginx:bookworm
PYTHON_IMAGE ?= cruddur/python:3.11-bookworm
BASES := base-images
NODE_RUNTIME := node-image
endif
APP_CONTEXT := .build/app-image
COLLECTOR_CONTEXT := .build/collector-image
FRONTEND_CONTEXT := .build/frontend-image
FRONTEND_IMAGE ?= cruddur/frontend:$(IMAGE_TAG)
MOTO_CONTEXT := .build/moto-image

node-image: base-images $(NODE_BIN)/node ## the Node 24 runtime image (our base + the project's Node binary)
	@docker image inspect $(NODE_IMAGE) >/dev/null 2>&1 || { \
	  echo "building $(NODE_IMAGE)"; \
	  docker build -q -t $(NODE_IMAGE) --build-arg BASE_IMAGE=cruddur/debian:bookworm -f docker/node/Dockerfile $(NODE_BIN) >/dev/null; }

# Production dependencies only, installed from the same lockfile in a staging directory so the
# development node_modules is untouched; rebuilt only when the manifests change.
$(APP_CONTEXT)/node_modules/.package-lock.json: package-lock.json package.json app/package.json testkit/package.json | $(NODE_BIN)/node
	@rm -rf $(APP_CONTEXT) && mkdir -p $(APP_CONTEXT)/app $(APP_CONTEXT)/testkit
	@cp package.json package-lock.json .npmrc $(APP_CONTEXT)/ && cp app/package.json $(APP_CONTEXT)/app/ && cp testkit/package.json $(APP_CONTEXT)/testkit/
	@echo "npm ci --omit=dev (app workspace) for the image"
	@cd $(APP_CONTEXT) && npm ci --omit=dev --workspace app --include-workspace-root=false --ignore-scripts --no-audit --no-fund >/dev/null
	@touch $@

app-image: build $(NODE_RUNTIME) $(APP_CONTEXT)/node_modules/.package-lock.json ## the API image (cruddur/app)
	@rm -rf $(APP_CONTEXT)/app/dist && cp -r app/dist $(APP_CONTEXT)/app/dist
	@echo "building $(APP_IMAGE)"
	@docker build -q -t $(APP_IMAGE) --build-arg NODE_IMAGE=$(NODE_IMAGE) -f app/Dockerfile $(APP_CONTEXT) >/dev/null

collector-image: collector collector-agent $(HTTPPROBE) $(BASES) ## the collector image (scratch + CA bundle + both builds)
	@rm -rf $(COLLECTOR_CONTEXT) && mkdir -p $(COLLECTOR_CONTEXT)/storage
	@cp $(COLLECTOR_BIN) $(COLLECTOR_AGENT_BIN) $(HTTPPROBE) $(COLLECTOR_CONTEXT)/
	@mkdir -p $(COLLECTOR_CONTEXT)/otel-collector
	@cp -r otel-collector/config $(COLLECTOR_CONTEXT)/otel-collector/config && cp -r xray-daemon $(COLLECTOR_CONTEXT)/xray-daemon
	@rm -rf $(COLLECTOR_CONTEXT)/xray-daemon/test
	@echo "building $(COLLECTOR_IMAGE)"
	@docker build -q -t $(COLLECTOR_IMAGE) --build-arg CA_IMAGE=$(CA_IMAGE) -f otel-collector/Dockerfile $(COLLECTOR_CONTEXT) >/dev/null

frontend-image: frontend $(HTTPPROBE) $(BASES) ## the web front end's image (Debian nginx serving frontend/dist on :3000)
	@rm -rf $(FRONTEND_CONTEXT) && mkdir -p $(FRONTEND_CONTEXT)
	@cp -r frontend/dist frontend/nginx frontend/Dockerfile $(HTTPPROBE) $(FRONTEND_CONTEXT)/
	@echo "building $(FRONTEND_IMAGE)"
	@docker build -q -t $(FRONTEND_IMAGE) --build-arg NGINX_BASE_IMAGE=$(NGINX_BASE_IMAGE) -f $(FRONTEND_CONTEXT)/Dockerfile $(FRONTEND_CONTEXT) >/dev/null

# Wheels for the moto image, built on the host from the pinned requirements.
$(MOTO_CONTEXT)/wheels/.done: standins/moto/requirements.txt
	@rm -rf $(MOTO_CONTEXT) && mkdir -p $(MOTO_CONTEXT)/wheels
	@cp standins/moto/requirements.txt $(MOTO_CONTEXT)/
	@echo "pip wheel moto[server] and its pinned dependencies"
	@python3 -m pip wheel -q -r standins/moto/requirements.txt -w $(MOTO_CONTEXT)/wheels
	@touch $@

standin-images: $(LOCAL_STANDIN_BINS) $(HTTPPROBE) $(MOTO_CONTEXT)/wheels/.done $(BASES) ## images of the OTLP, Rollbar, X-Ray control-plane and moto stand-ins
	@for standin in otlp-standin rollbar-standin xray-standin; do \
	  rm -rf .build/$$standin-image && mkdir -p .build/$$standin-image/state && \
	  cp $(TOOLS)/bin/$$standin $(HTTPPROBE) .build/$$standin-image/ && \
	  echo "building cruddur/$$standin:$(IMAGE_TAG)" && \
	  docker build -q -t cruddur/$$standin:$(IMAGE_TAG) --build-arg STANDIN=$$standin -f standins/Dockerfile .build/$$standin-image >/dev/null; \
	done
	@echo "building cruddur/moto:$(IMAGE_TAG)"
	@docker build -q -t cruddur/moto:$(IMAGE_TAG) --build-arg PYTHON_IMAGE=$(PYTHON_IMAGE) -f standins/moto/Dockerfile $(MOTO_CONTEXT) >/dev/null

# ---- the local trace and log UI (viewer/README.md) ------------------------------------------
# otel-desktop-viewer v0.4.1 from the Go module proxy, pinned with its checksums in viewer/go.mod
# and go.sum (`go install …@v0.4.1` fails here: the proxy refuses its version list). cgo links
# DuckDB, so the binary is dynamic against glibc and libstdc++ (bookworm's); ~1 min on 2 idle
# cores, ~5 min while other builds run. -mod=readonly: a go.sum that does not match fails the build.
VIEWER_BIN := .build/viewer/otel-desktop-viewer
VIEWER_IMAGE ?= cruddur/otel-desktop-viewer:$(IMAGE_TAG)
VIEWER_CONTEXT := .build/viewer-image

$(VIEWER_BIN): viewer/go.mod viewer/go.sum
	mkdir -p $(dir $@)
	cd viewer && CGO_ENABLED=1 $(GO) build -mod=readonly -trimpath -ldflags "-s -w" -o $(CURDIR)/$@.tmp github.com/CtrlSpice/otel-desktop-viewer
	mv $@.tmp $@

viewer: $(VIEWER_BIN) ## build the trace viewer (otel-desktop-viewer, pinned in viewer/go.mod) from source

viewer-image: $(VIEWER_BIN) $(HTTPPROBE) $(BASES) ## the trace viewer's image (our Debian base + the binary)
	@rm -rf $(VIEWER_CONTEXT) && mkdir -p $(VIEWER_CONTEXT)
	@cp $(VIEWER_BIN) $(HTTPPROBE) $(VIEWER_CONTEXT)/
	@echo "building $(VIEWER_IMAGE)"
	@docker build -q -t $(VIEWER_IMAGE) --build-arg BASE_IMAGE=$(CA_IMAGE) -f viewer/Dockerfile $(VIEWER_CONTEXT) >/dev/null

images: app-image collector-image frontend-image standin-images viewer-image ## every image of the stack

# ---- deployment files (deploy/): generated from the profiles and configs -------------------------
.PHONY: deploy-files
deploy-files: setup ## regenerate deploy/k8s and deploy/ecs from otel-collector/profiles.yaml and the config files
	node deploy/generate.ts
