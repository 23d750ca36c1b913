# Two commands for a new user: `make run` starts the whole system, `make test` runs every test.
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen

.PHONY: run test test-unit test-integration test-contract test-e2e lint format bench sync clean postgres \
	kustomize settings-reference

DEMO_COUNT ?= 300

run: .venv/.synced ## Start broker, migrations and all services (Ctrl-C stops everything)
	$(RUN) supportmatch run --demo-count $(DEMO_COUNT)

test: .venv/.synced lint postgres kustomize ## Lint, type-check, then unit, contract, integration and end-to-end tests
	$(RUN) pytest -q tests

test-unit: .venv/.synced
	$(RUN) pytest -q tests/unit

test-contract: .venv/.synced postgres
	$(RUN) pytest -q tests/contract

test-integration: .venv/.synced postgres
	$(RUN) pytest -q tests/integration

test-e2e: .venv/.synced postgres
	$(RUN) pytest -q tests/e2e

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

# The pinned kustomize that renders deploy/k8s for tests/deploy (built once into ~/.cache/supportmatch).
kustomize:
	@deploy/k8s/kustomize.sh >/dev/null

# Rewrite the settings reference of docs/operations.md from the services' settings classes.
settings-reference: .venv/.synced
	$(RUN) supportmatch settings-reference --write

# The private PostgreSQL server of the tests (var/postgres, 127.0.0.1:55432), installed and started when
# absent. Without it the PostgreSQL runs are skipped, unless SUPPORTMATCH_REQUIRE_POSTGRES is set.
postgres:
	@deploy/local/postgres.sh start >/dev/null || echo "make: no PostgreSQL; its test runs will be skipped" >&2

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
