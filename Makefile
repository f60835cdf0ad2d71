# Réseau: the whole setup on a fresh machine is `make run` (demo) and `make test` (checks).
#
#   make run     create .venv, install, upgrade the SQLite database in instance/, load the demo
#                data (devdata/demo) when the database is empty, serve on http://127.0.0.1:$(PORT)
#   make test    .venv with the dev extra, Chromium from Debian if missing, the Nu HTML checker
#                if missing, ruff, then pytest on SQLite and on PostgreSQL (under CI=true both
#                are mandatory)
#   make lint    ruff only
#   make clean   remove .venv, caches and test artifacts (instance/ data is kept)
#   make clean-data  remove the SQLite database and the written e-mails from instance/

PYTHON ?= python3
PORT ?= 5000
# pytest-xdist workers per pass (measured on 2 cores: PostgreSQL pass 175 s -> 84 s, SQLite
# 151 s -> 130 s, same results); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
# Extra pytest options, e.g. `make test PYTEST_ARGS="-x -k centre" PYTEST_WORKERS=0`.
PYTEST_ARGS ?=
PYTEST = $(BIN)/pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app reseau
RUN_STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
LINT_PATHS := $(wildcard reseau devdata tests bench docs)
CHROMIUM := /usr/bin/chromium
WRK := /usr/bin/wrk
# The W3C Nu HTML checker (vnu.jar, run by tests/test_html_validity.py on the machine's Java),
# pinned, from the npm registry's vnu-jar package, into a git-ignored folder.
VNU_VERSION := 26.9.27
VNU_DIR := .vnu
VNU_JAR := $(VNU_DIR)/node_modules/vnu-jar/build/dist/vnu.jar
# Options of bench/pages.py, e.g. `make bench BENCH_ARGS="--scales regional --duration 10"`.
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test test-sqlite test-postgresql lint audit chromium vnu wrk clean clean-data bench bench-enrol bench-ics bench-writes

help:
	@echo "make run    serve the demo on http://127.0.0.1:$(PORT) (PORT=... to change)"
	@echo "make test   ruff and the whole test suite on SQLite and PostgreSQL"
	@echo "make lint   ruff only"
	@echo "make bench-enrol  200 concurrent enrolments into 20 seats, on SQLite and PostgreSQL"
	@echo "make bench-ics    build and serve a 1,000-séance calendar feed (uses wrk if installed)"
	@echo "make bench-writes 50 writers (diagnostic autosaves, attendance taps) and 10 bilan readers, PostgreSQL"
	@echo "make bench  each role's pages at regional and national scale, SQLite and PostgreSQL (wrk)"
	@echo "make clean  remove .venv, caches and test artifacts (keeps instance/)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(DEV_STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(FLASK) db upgrade
	@if $(FLASK) is-empty; then $(FLASK) demo; fi
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Debian's Chromium for the browser tests (Playwright's own browser download does not work
# everywhere). Installed only when missing and when we are root with apt-get.
chromium:
	@if [ -x $(CHROMIUM) ]; then \
		exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Chromium from Debian's packages..."; \
		if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then \
			echo "Chromium installed: $$($(CHROMIUM) --version 2>/dev/null)"; \
		elif [ "$(CI)" = true ]; then \
			echo "error: could not install Chromium (needed by the browser tests under CI)" >&2; exit 1; \
		else \
			echo "warning: could not install Chromium; the browser tests will be skipped" >&2; \
		fi; \
	elif [ "$(CI)" = true ]; then \
		echo "error: $(CHROMIUM) is missing and cannot be installed here (not root or no apt-get)" >&2; exit 1; \
	else \
		echo "warning: $(CHROMIUM) is missing (as root: apt-get install chromium); browser tests will be skipped" >&2; \
	fi

# The Nu HTML checker, installed when missing or of another version. Under CI=true a missing
# java or checker fails; elsewhere it is a warning and the validity test is skipped.
vnu:
	@if [ -f $(VNU_JAR) ] && grep -q '"version": "$(VNU_VERSION)"' $(VNU_DIR)/node_modules/vnu-jar/package.json 2>/dev/null; then \
		:; \
	elif command -v npm >/dev/null 2>&1 && echo "Installing vnu-jar $(VNU_VERSION) from the npm registry into $(VNU_DIR)/..." \
		&& npm install --prefix $(VNU_DIR) --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --silent vnu-jar@$(VNU_VERSION); then \
		:; \
	elif [ "$(CI)" = true ]; then \
		echo "error: could not install vnu-jar $(VNU_VERSION) (npm missing or the registry unreachable)" >&2; exit 1; \
	else \
		echo "warning: could not install vnu-jar (needs npm); the HTML validity test will be skipped" >&2; \
	fi
	@if command -v java >/dev/null 2>&1; then \
		exit 0; \
	elif [ "$(CI)" = true ]; then \
		echo "error: java is missing (apt-get install default-jre-headless), needed by the HTML validity test" >&2; exit 1; \
	else \
		echo "warning: java is missing (apt-get install default-jre-headless); the HTML validity test will be skipped" >&2; \
	fi

# The HTTP load tool of the page benchmark, from Debian's packages, like Chromium above.
wrk:
	@if [ -x $(WRK) ]; then \
		exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing wrk from Debian's packages..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else \
		echo "error: $(WRK) is missing (as root: apt-get install wrk)" >&2; exit 1; \
	fi

lint: $(DEV_STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

# Known vulnerabilities in the installed dependencies (pip-audit). Offline, or when the
# advisory database does not answer, it says so and does not fail; a vulnerability fails.
audit: $(DEV_STAMP)
	$(BIN)/python .ci/audit.py

# Both passes run even when the first fails, so one run shows everything; then it fails.
test: $(DEV_STAMP) chromium vnu lint audit
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgresql || status=1; \
	exit $$status

test-sqlite: $(DEV_STAMP)
	RESEAU_TEST_DB=sqlite $(PYTEST)

# Under CI=true the PostgreSQL pass always runs (the suite fails if the server is missing);
# elsewhere it runs when PostgreSQL answers on 127.0.0.1:5432.
test-postgresql: $(DEV_STAMP)
	@if [ "$(CI)" = true ] || $(BIN)/python -c "from tests.databases import postgres_available as ok; raise SystemExit(not ok())" 2>/dev/null; then \
		echo "RESEAU_TEST_DB=postgresql $(PYTEST)"; \
		RESEAU_TEST_DB=postgresql $(PYTEST); \
	else \
		echo "PostgreSQL pass skipped: no PostgreSQL on 127.0.0.1:5432 (user postgres). It is mandatory under CI=true."; \
	fi

clean:
	rm -rf $(VENV) $(VNU_DIR) build dist *.egg-info .pytest_cache .ruff_cache test-artifacts
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +

clean-data:
	rm -rf instance/reseau.sqlite instance/reseau.sqlite-wal instance/reseau.sqlite-shm instance/mail

# Benchmarks: timings live here, never in the tests. Both start gunicorn on 127.0.0.1.
bench-enrol: $(DEV_STAMP)
	$(BIN)/python bench/enrol_burst.py --db sqlite
	$(BIN)/python bench/enrol_burst.py --db postgresql

bench-ics: $(DEV_STAMP)
	$(BIN)/python bench/ics.py

# Issue 21: write latency and lock waits under concurrent writes and bilan reads (PostgreSQL).
bench-writes: $(DEV_STAMP)
	$(BIN)/python bench/writes.py --writers 50 --readers 10 --workers 4

# Issue 9's page benchmark. Data sets are built on first use and cached (instance/bench/ and
# PostgreSQL databases reseau_bench_*); the national one takes a few minutes to build.
bench: $(DEV_STAMP) wrk
	$(BIN)/python bench/pages.py $(BENCH_ARGS)
