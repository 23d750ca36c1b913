# Two commands for a new user: `make run` starts the whole system, `make test` runs every test.
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen

.PHONY: run test test-unit test-integration test-contract test-e2e test-browser lint format bench sync clean postgres browser

DEMO_COUNT ?= 300

# The portal's demo accounts and plain-http cookies are for this machine only (refused in production).
run: .venv/.synced ## Start broker, migrations and all services (Ctrl-C stops everything)
	PORTAL_DEMO_ACCOUNTS=true PORTAL_COOKIE_SECURE=false $(RUN) supportmatch run --demo-count $(DEMO_COUNT)

test: .venv/.synced lint postgres browser ## Lint, type-check, then unit, contract, integration and end-to-end tests
	$(RUN) pytest -q tests

test-unit: .venv/.synced
	$(RUN) pytest -q tests/unit

test-contract: .venv/.synced postgres
	$(RUN) pytest -q tests/contract

test-integration: .venv/.synced postgres
	$(RUN) pytest -q tests/integration

test-e2e: .venv/.synced postgres
	$(RUN) pytest -q tests/e2e

test-browser: .venv/.synced browser
	$(RUN) pytest -q tests/browser

lint: .venv/.synced
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy libs services tests bench

format: .venv/.synced
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

bench: .venv/.synced
	$(RUN) python bench/pipeline.py

sync: .venv/.synced

# The private PostgreSQL server of the tests (var/postgres, 127.0.0.1:55432), installed and started when
# absent. Without it the PostgreSQL runs are skipped, unless SUPPORTMATCH_REQUIRE_POSTGRES is set.
postgres:
	@deploy/local/postgres.sh start >/dev/null || echo "make: no PostgreSQL; its test runs will be skipped" >&2

# Debian's chromium (/usr/bin/chromium) and a Chinese font for the browser tests, installed with apt-get
# when absent. Without them the browser tests are skipped, unless SUPPORTMATCH_REQUIRE_BROWSER is set:
# then make stops here, and the tests would fail.
browser:
	@deploy/local/browser.sh >/dev/null || { [ -z "$$SUPPORTMATCH_REQUIRE_BROWSER" ] && \
	  echo "make: no chromium; the browser tests will be skipped" >&2; }

# First use: a private uv (unless one is installed), then the locked environment.
.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: uv.lock pyproject.toml $(wildcard libs/*/pyproject.toml services/*/pyproject.toml) | $(UV)
	$(UV) sync --frozen --all-packages
	@touch $@

clean:
	-deploy/local/postgres.sh stop
	rm -rf .venv .tools var .pytest_cache .mypy_cache .ruff_cache
