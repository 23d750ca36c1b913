# Two commands for a new user: `make run` starts the whole system, `make test` runs every test.
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen

.PHONY: run test test-unit test-integration test-contract test-security test-e2e test-browser test-faults lint format bench sync clean \
	postgres browser pdf kafka kafka-fetch kafka-stop kafka-status kustomize settings-reference

DEMO_COUNT ?= 300
# The broker `make run` starts: tansu (embedded, memory only) or apache (Apache Kafka under var/kafka).
KAFKA ?= tansu
# Nodes of `make kafka`: 1, or 3 for a quorum of three (replication factor 3, min.insync.replicas 2).
NODES ?= 1
# Test processes (pytest-xdist): each takes the next test when free, and the tests that share an
# Apache Kafka node or the browser's running system go to one of them (tests/scheduling.py).
# TEST_WORKERS=0 runs every test in one process.
TEST_WORKERS ?= 4
PYTEST := $(RUN) pytest -q -n $(TEST_WORKERS) --dist loadgroup
# Python's compiled modules are kept under var/ even where PYTHONDONTWRITEBYTECODE is set: each
# test process and each service a test starts would otherwise compile every module again.
export PYTHONPYCACHEPREFIX := $(CURDIR)/var/pycache
unexport PYTHONDONTWRITEBYTECODE

# The portal's demo accounts and plain-http cookies are for this machine only (refused in production).
run: .venv/.synced pdf ## Start broker, migrations and all services (Ctrl-C stops everything)
	PORTAL_DEMO_ACCOUNTS=true PORTAL_COOKIE_SECURE=false SUPPORTMATCH_BROKER=$(KAFKA) $(RUN) supportmatch run --demo-count $(DEMO_COUNT)

# Apache Kafka from Maven Central's jars (cached in ~/.cache/supportmatch), KRaft on 127.0.0.1:9092.
kafka: .venv/.synced ## Start Apache Kafka in the background and print its bootstrap address
	@$(RUN) supportmatch kafka start --nodes $(NODES)

kafka-fetch: .venv/.synced
	@$(RUN) supportmatch kafka fetch

kafka-stop: .venv/.synced
	@$(RUN) supportmatch kafka stop

kafka-status: .venv/.synced
	@$(RUN) supportmatch kafka status

test: .venv/.synced lint postgres browser pdf kustomize ## Lint, type-check, then every test but the fault scenarios
	$(PYTEST) tests --ignore=tests/faults --ignore=tests/integration/test_apache_kafka.py
	@# The SASL/TLS node refuses a wrong password without its reason while other nodes start beside it.
	$(RUN) pytest -q -p no:xdist tests/integration/test_apache_kafka.py

test-unit: .venv/.synced
	$(PYTEST) tests/unit

test-contract: .venv/.synced postgres
	$(PYTEST) tests/contract

test-integration: .venv/.synced postgres
	$(PYTEST) tests/integration

test-security: .venv/.synced postgres pdf
	$(PYTEST) tests/security

test-e2e: .venv/.synced postgres
	$(PYTEST) tests/e2e

test-browser: .venv/.synced browser pdf
	$(PYTEST) tests/browser

# The system as `make run` starts it, broken mid-stream; each scenario prints what it did and counted.
test-faults: .venv/.synced postgres
	$(RUN) pytest -q -s tests/faults

lint: .venv/.synced
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy libs services tests bench

format: .venv/.synced
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

bench: .venv/.synced kafka-fetch
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

# Debian's chromium (/usr/bin/chromium) and a Chinese font for the browser tests, installed with apt-get
# when absent. Without them the browser tests are skipped, unless SUPPORTMATCH_REQUIRE_BROWSER is set:
# then make stops here, and the tests would fail.
browser:
	@deploy/local/browser.sh >/dev/null || { [ -z "$$SUPPORTMATCH_REQUIRE_BROWSER" ] && \
	  echo "make: no chromium; the browser tests will be skipped" >&2; }

# What the portal's PDF report needs from the system: pango (WeasyPrint lays text out with it),
# harfbuzz's subsetter (fonts embedded as small subsets) and a Chinese font, installed with apt-get
# when absent. Without them the portal still runs and the report answers 503 saying why; its tests fail.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
pdf:
	@deploy/local/debian-packages.sh $(PDF_PACKAGES) || \
	  echo "make: no pango; the portal's PDF report will answer 503 (apt-get install $(PDF_PACKAGES))" >&2

# First use: a private uv (unless one is installed), then the locked environment.
.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: uv.lock pyproject.toml $(wildcard libs/*/pyproject.toml services/*/pyproject.toml) | $(UV)
	$(UV) sync --frozen --all-packages
	@touch $@

clean:
	-deploy/local/postgres.sh stop
	-[ ! -x .venv/bin/supportmatch ] || .venv/bin/supportmatch kafka stop
	rm -rf .venv .tools var .pytest_cache .mypy_cache .ruff_cache
