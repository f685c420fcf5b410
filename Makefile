# Suksa — everyday commands. `make help` lists them.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
RUN := $(UV) run --frozen
SCALE ?= national
# Learner records for `make run` / `make demo`: none | tiny | province | national (empty = the
# default: the scale, but province for SCALE=national).
RECORDS ?=
RECORDS_ARG = $(if $(RECORDS),--records $(RECORDS),)

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast test-browser check lint types imports migrations-check fmt \
        demo demo-national schema bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

$(UV):
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --user --quiet uv || python3 -m pip install --quiet uv

install: $(UV) ## Install Python 3.11 dependencies from uv.lock into .venv
	@$(UV) sync --frozen --quiet

run: install ## Migrate, make the demo nation if absent, serve http://127.0.0.1:8000 and print the logins
	@$(RUN) suksa run --scale $(SCALE) $(RECORDS_ARG)

test: install ## Run the whole test suite (SQLite; PostgreSQL when DATABASE_URL is set)
	@$(RUN) pytest -n 2 --dist loadgroup -q

test-fast: install ## Run the tests without the browser
	@$(RUN) pytest -n 2 -q -m "not browser"

test-browser: install ## Run only the browser tests (Debian chromium, headless)
	@$(RUN) pytest -q -m browser

check: lint types imports migrations-check ## ruff + mypy + import-linter + makemigrations --check

lint: install
	@$(RUN) ruff check src config tests bench
	@$(RUN) ruff format --check src config tests bench

types: install
	@$(RUN) mypy

imports: install
	@$(RUN) lint-imports

migrations-check: install
	@$(RUN) python manage.py makemigrations --check --dry-run

fmt: install ## Format and autofix
	@$(RUN) ruff format src config tests bench
	@$(RUN) ruff check --fix src config tests bench

demo: install ## Regenerate the demo nation (SCALE=tiny|province|national, RECORDS=none|tiny|province|national)
	@$(RUN) suksa demo --scale $(SCALE) $(RECORDS_ARG) --replace

demo-national: ## Generate the national-scale demo (≈29,000 schools)
	@$(MAKE) demo SCALE=national

schema: install ## Regenerate the committed OpenAPI schema (docs/api/openapi.yaml)
	@$(RUN) python manage.py spectacular --file docs/api/openapi.yaml --validate

bench: install ## Run the benchmarks and print their figures (see bench/RESULTS.md)
	@$(RUN) python bench/run.py

clean: ## Remove the local data directory (database, media) and caches
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
