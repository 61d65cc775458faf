# Reliability and security (issue 5): bad input, secrets, exposure. Included by the root Makefile.
# Figures and how to read them: docs/reliability.md.
.PHONY: fuzz-venv fuzz test-reliability test-fast-reliability

FUZZ_VENV := $(CURDIR)/.tools/fuzz-venv
SCHEMATHESIS := $(FUZZ_VENV)/bin/st
FUZZ_REQUIREMENTS := test/reliability/fuzz/requirements.txt

# A venv of its own: schemathesis and moto pin different versions of shared libraries.
$(SCHEMATHESIS): $(FUZZ_REQUIREMENTS)
	test -x $(FUZZ_VENV)/bin/python || python3 -m venv $(FUZZ_VENV)
	$(FUZZ_VENV)/bin/pip install --quiet --disable-pip-version-check -r $(FUZZ_REQUIREMENTS)
	@touch $@

fuzz-venv: $(SCHEMATHESIS) ## install schemathesis (pinned) into .tools/fuzz-venv

# The fast ones: fuzz (bounded to FUZZ_MAX_TIME, default 75 s), the OpenAPI document checked
# against the app, malformed OTLP/UDP to the collector binary, and the stack's exposure.
RELIABILITY_FAST := test/reliability/openapi.test.ts test/reliability/fuzz.test.ts \
  test/reliability/malformed-input.test.ts test/reliability/exposure.test.ts

test-fast-reliability: build fuzz-venv collector standins images compose-tool ## fast reliability tests: OpenAPI document, fuzz, malformed input, exposure
	npx vitest run --project reliability $(RELIABILITY_FAST)

# Canary credentials (not secrets), exported for the whole target and so for its prerequisites:
# the images this run builds are built with them in the environment, and the secrets test
# (which refuses any value that does not say "canary") looks for them in every layer.
test-reliability: export HONEYCOMB_API_KEY := canary-reliability-honeycomb-key
test-reliability: export ROLLBAR_ACCESS_TOKEN := canary-reliability-rollbar-token
test-reliability: export AWS_ACCESS_KEY_ID := AKIACANARYRELIABLE01
test-reliability: export AWS_SECRET_ACCESS_KEY := canary-reliability-aws-secret-access-key

test-reliability: build fuzz-venv collector standins images compose-tool ## every reliability test of issue 5 that exists (vitest project "reliability")
	npx vitest run --project reliability

fuzz: build fuzz-venv ## only the schemathesis run (FUZZ_MAX_TIME, FUZZ_MAX_EXAMPLES, FUZZ_SEED to tune or replay)
	npx vitest run --project reliability test/reliability/fuzz.test.ts
