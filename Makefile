# chibo — common tasks. `make` alone lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV   := .venv
PY     := $(VENV)/bin/python
ARGS        ?=
PYTEST_ARGS ?=

.NOTPARALLEL:
.PHONY: help run test test-postgres test-clocks lint fmt clean distclean bootstrap bootstrap-dev services

help: ## List the targets
	@echo "Usage: make <target> [ARGS=...] [PYTEST_ARGS=...]"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

bootstrap: ## Create/update .venv with the app's dependencies
	@bash scripts/bootstrap.sh

bootstrap-dev: ## Same plus test/lint tools and Debian test packages
	@bash scripts/bootstrap.sh --dev

services: ## Start PostgreSQL and Redis if they are down (never fails)
	@bash scripts/ensure_services.sh

run: bootstrap ## Run the app: make run ARGS="..."
	$(PY) app.py $(ARGS)

# The app-level folders: each test has its own database, so they run on two workers (the whole
# suite alone, `make test`, runs them that way first, then the rest: real servers, browsers and
# processes of their own, one at a time).
APP_LEVEL := tests/unit tests/app tests/security
test: bootstrap-dev services ## Run the tests: make test PYTEST_ARGS="tests/browser -q"
	@if [ -n "$(PYTEST_ARGS)" ]; then \
		$(VENV)/bin/pytest $(PYTEST_ARGS); \
	else \
		$(VENV)/bin/pytest -n 2 $(APP_LEVEL) && \
		$(VENV)/bin/pytest $(addprefix --ignore=,$(APP_LEVEL)); \
	fi

# The same suite with the `app` fixture on fresh PostgreSQL databases (tests/scale/pg.py).
# Browser and real-server tests are left to the first pass: they test the page and the
# transport, and tests/scale already runs its processes on PostgreSQL there.
# The app-level folders run on two workers (each test's database is its own); tests/scale starts
# processes of its own and runs alone.
PG_PYTEST_ARGS ?= -m "not browser and not server"
test-postgres: bootstrap-dev services ## The suite on PostgreSQL (127.0.0.1:5432), if reachable
	@if $(PY) -c 'import sys; from tests.scale import pg; sys.exit(0 if pg.reachable() else 1)'; then \
		CHIBO_TEST_DATABASE=postgresql $(VENV)/bin/pytest $(PG_PYTEST_ARGS) -n 2 $(APP_LEVEL) $(PYTEST_ARGS) && \
		CHIBO_TEST_DATABASE=postgresql $(VENV)/bin/pytest $(PG_PYTEST_ARGS) \
			$(addprefix --ignore=,$(APP_LEVEL)) $(PYTEST_ARGS); \
	else \
		echo "==> PostgreSQL is not reachable: the PostgreSQL pass is skipped"; \
	fi

# The app-level suite as if it were another day (tests/conftest.py reads CHIBO_TEST_NOW): the last
# day of a month and of the year late at night, New Year just after midnight (still 31 December
# in UTC), 29 February, 1 March after a short February, and the minute a demo meeting is planned.
CLOCKS ?= 2026-12-31T23:30+07:00 2027-01-01T00:15+07:00 2028-02-29T12:00+07:00 \
          2027-03-01T08:00+07:00 2027-04-30T19:30+07:00
CLOCK_PYTEST_ARGS ?= $(APP_LEVEL) -q -p no:cacheprovider -n 2
test-clocks: bootstrap-dev ## The app-level suite on moved clocks (CLOCKS="...")
	@set -e; for when in $(CLOCKS); do \
		echo "==> the app-level suite as if it were $$when"; \
		CHIBO_TEST_NOW=$$when $(VENV)/bin/pytest $(CLOCK_PYTEST_ARGS) $(PYTEST_ARGS); \
	done

lint: bootstrap-dev ## ruff check + ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: bootstrap-dev ## Format and auto-fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean: ## Remove caches and test output (keeps .venv)
	rm -rf .pytest_cache .ruff_cache test-artifacts test-results build *.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean ## clean + remove .venv
	rm -rf $(VENV)
