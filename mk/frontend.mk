# The web front end (frontend/): its own npm package and lockfile, outside the root workspaces so
# its browser OpenTelemetry line (@opentelemetry/api 1.9) never hoists over the app's (1.10).
.PHONY: frontend-setup frontend test-frontend

FRONTEND_DIR := frontend

# npm ci only when its manifest changed since the last install (npm writes the inner lockfile).
$(FRONTEND_DIR)/node_modules/.package-lock.json: $(FRONTEND_DIR)/package.json $(FRONTEND_DIR)/package-lock.json | $(NODE_BIN)/node
	npm ci --prefix $(FRONTEND_DIR) --no-audit --no-fund
	@touch $@

frontend-setup: $(FRONTEND_DIR)/node_modules/.package-lock.json

frontend: frontend-setup ## build the web front end (Vite) into frontend/dist
	npm run build --prefix $(FRONTEND_DIR)

# Its own TypeScript (see frontend/tsconfig.json), then Vitest + Testing Library in jsdom.
test-frontend: frontend-setup ## front end: type check and component tests (jsdom), generated API types in step with app/openapi.yaml
	npm run typecheck --prefix $(FRONTEND_DIR)
	npm test --prefix $(FRONTEND_DIR)
