# The README's commands. Everything installs into .venv from the lock file; nothing global.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
BUF := node_modules/.bin/buf
CHROMIUM := /usr/bin/chromium

.PHONY: run test gen lint bench bench-tools faults setup clean browser

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --frozen --quiet
	@touch $@

setup: $(VENV)/.synced

## run: start PostgreSQL, NATS, the services and the Envoy gateway on :8000 (Ctrl-C stops)
run: setup
	$(BIN)/pulseone up

## test: the whole suite (unit, integration, e2e); fixtures start what they need
test: setup browser bench-tools
	$(BIN)/pytest

## browser: Debian's chromium, which tests/e2e/test_browser.py drives (installed once, as root)
browser:
	@test -x $(CHROMIUM) || [ "$$(id -u)" != 0 ] || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@test -x $(CHROMIUM) || echo "$(CHROMIUM) is missing and only root can install it (apt-get install chromium): the browser test will fail"

## gen: compile protos/ into gen/python and gen/pulseone.pb
gen: setup
	$(BIN)/python -m scripts.gen

$(BUF): package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	@touch $@

## lint: ruff, mypy, buf lint, and generated code up to date
lint: setup $(BUF)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BUF) lint
	$(BIN)/python -m scripts.gen
	@git diff --exit-code --stat -- gen third_party || (echo "generated code is stale: run make gen and commit" && exit 1)
	@test -z "$$(git status --porcelain -- gen third_party)" || (echo "make gen created files that are not committed" && exit 1)

## bench: the hot paths beside their ceilings on a platform of its own (pulseone bench --help for sizes, --soak)
bench: setup bench-tools
	$(BIN)/pulseone bench

## faults: load, faults (replica killed, NATS and PostgreSQL restarted, a consumer paused) and checks
## on a platform of its own; raise the sizes with make faults FAULT_SECONDS=300 FAULT_CLIENTS=16
FAULT_SECONDS ?= 60
FAULT_CLIENTS ?= 8
faults: setup
	$(BIN)/pulseone faults --seconds $(FAULT_SECONDS) --clients $(FAULT_CLIENTS)

## bench-tools: the C load generators, Debian's wrk and h2load (nghttp2-client), installed once as root
bench-tools:
	@command -v wrk >/dev/null && command -v h2load >/dev/null || [ "$$(id -u)" != 0 ] || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk nghttp2-client >/dev/null; }
	@command -v wrk >/dev/null && command -v h2load >/dev/null || \
		echo "wrk and h2load are missing and only root can install them (apt-get install wrk nghttp2-client): pulseone bench will fail"

clean:
	rm -rf $(VENV) node_modules
