# Container images, all built locally (no registry is reachable): base images made by
# debootstrap when absent, and Dockerfiles whose base images are build args defaulting to the
# public ones, so a connected machine can build them unchanged.
.PHONY: docker base-images node-image app-image

IMAGE_TAG ?= dev
APP_IMAGE ?= cruddur/app:$(IMAGE_TAG)

# BASE_IMAGES=local (default here: no registry) makes the bases with debootstrap;
# BASE_IMAGES=public uses the public images the Dockerfiles default to (a connected machine).
BASE_IMAGES ?= local
ifeq ($(BASE_IMAGES),public)
NODE_IMAGE ?= node:24-bookworm-slim
CA_IMAGE ?= debian:bookworm-slim
PYTHON_IMAGE ?= python:3.11-slim-bookworm
BASES := docker
NODE_RUNTIME := docker
else
NODE_IMAGE ?= cruddur/node:$(NODE_VERSION)
CA_IMAGE ?= cruddur/debian:bookworm
PYTHON_IMAGE ?= cruddur/python:3.11-bookworm
BASES := base-images
NODE_RUNTIME := node-image
endif
APP_CONTEXT := .build/app-image

docker: ## install and start a Docker engine if none answers (Debian, root)
	@./scripts/ensure-docker.sh

base-images: docker ## make the Debian base images with debootstrap when absent
	@./scripts/ensure-base-images.sh

node-image: base-images $(NODE_BIN)/node ## the Node 24 runtime image (our base + the project's Node binary)
	@docker image inspect $(NODE_IMAGE) >/dev/null 2>&1 || { \
	  echo "building $(NODE_IMAGE)"; \
	  docker build -q -t $(NODE_IMAGE) --build-arg BASE_IMAGE=cruddur/debian:bookworm -f docker/node/Dockerfile $(NODE_BIN) >/dev/null; }

# Production dependencies only, installed from the same lockfile in a staging directory so the
# development node_modules is untouched; rebuilt only when the manifests change.
$(APP_CONTEXT)/node_modules/.package-lock.json: package-lock.json package.json app/package.json | $(NODE_BIN)/node
	@rm -rf $(APP_CONTEXT) && mkdir -p $(APP_CONTEXT)/app
	@cp package.json package-lock.json .npmrc $(APP_CONTEXT)/ && cp app/package.json $(APP_CONTEXT)/app/
	@echo "npm ci --omit=dev (app workspace) for the image"
	@cd $(APP_CONTEXT) && npm ci --omit=dev --workspace app --include-workspace-root=false --ignore-scripts --no-audit --no-fund >/dev/null
	@touch $@

app-image: build $(NODE_RUNTIME) $(APP_CONTEXT)/node_modules/.package-lock.json ## the API image (cruddur/app)
	@rm -rf $(APP_CONTEXT)/app/dist && cp -r app/dist $(APP_CONTEXT)/app/dist
	@echo "building $(APP_IMAGE)"
	@docker build -q -t $(APP_IMAGE) --build-arg NODE_IMAGE=$(NODE_IMAGE) -f app/Dockerfile $(APP_CONTEXT) >/dev/null

.PHONY: httpprobe collector-image
HTTPPROBE := .build/bin/httpprobe
COLLECTOR_IMAGE ?= cruddur/otel-collector:$(IMAGE_TAG)
COLLECTOR_CONTEXT := .build/collector-image

$(HTTPPROBE): docker/httpprobe/main.go docker/httpprobe/go.mod
	cd docker/httpprobe && CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(CURDIR)/$@ .

httpprobe: $(HTTPPROBE)

collector-image: collector $(HTTPPROBE) $(BASES) ## the collector image (scratch + CA bundle + our binary)
	@rm -rf $(COLLECTOR_CONTEXT) && mkdir -p $(COLLECTOR_CONTEXT)/storage
	@cp $(COLLECTOR_BIN) $(HTTPPROBE) $(COLLECTOR_CONTEXT)/
	@mkdir -p $(COLLECTOR_CONTEXT)/otel-collector
	@cp -r otel-collector/config $(COLLECTOR_CONTEXT)/otel-collector/config && cp -r xray-daemon $(COLLECTOR_CONTEXT)/xray-daemon
	@rm -rf $(COLLECTOR_CONTEXT)/xray-daemon/test
	@echo "building $(COLLECTOR_IMAGE)"
	@docker build -q -t $(COLLECTOR_IMAGE) --build-arg CA_IMAGE=$(CA_IMAGE) -f otel-collector/Dockerfile $(COLLECTOR_CONTEXT) >/dev/null

.PHONY: standin-images images
MOTO_CONTEXT := .build/moto-image

# Wheels for the moto image, built on the host from the pinned requirements.
$(MOTO_CONTEXT)/wheels/.done: standins/moto/requirements.txt
	@rm -rf $(MOTO_CONTEXT) && mkdir -p $(MOTO_CONTEXT)/wheels
	@cp standins/moto/requirements.txt $(MOTO_CONTEXT)/
	@echo "pip wheel moto[server] and its pinned dependencies"
	@python3 -m pip wheel -q -r standins/moto/requirements.txt -w $(MOTO_CONTEXT)/wheels
	@touch $@

standin-images: $(LOCAL_STANDIN_BINS) $(HTTPPROBE) $(MOTO_CONTEXT)/wheels/.done $(BASES) ## images of the Honeycomb, Rollbar and moto stand-ins
	@for standin in honeycomb-standin rollbar-standin; do \
	  rm -rf .build/$$standin-image && mkdir -p .build/$$standin-image && \
	  cp .tools/bin/$$standin $(HTTPPROBE) .build/$$standin-image/ && \
	  echo "building cruddur/$$standin:$(IMAGE_TAG)" && \
	  docker build -q -t cruddur/$$standin:$(IMAGE_TAG) --build-arg STANDIN=$$standin -f standins/Dockerfile .build/$$standin-image >/dev/null; \
	done
	@echo "building cruddur/moto:$(IMAGE_TAG)"
	@docker build -q -t cruddur/moto:$(IMAGE_TAG) --build-arg PYTHON_IMAGE=$(PYTHON_IMAGE) -f standins/moto/Dockerfile $(MOTO_CONTEXT) >/dev/null

images: app-image collector-image standin-images ## every image of the stack
