# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Both create the virtual environment and install what they need first.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export STORY_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# local (SQLite instance, DuckDB warehouse) or production (PostgreSQL instance, mart exported to STORY_MART_URL)
export STORY_DEPLOYMENT ?= local
SCALE ?= demo
SEED ?= 20200205

.PHONY: demo test setup system-packages dev clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]' 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import dagster, weasyprint, splink, great_expectations" 
	touch $(STAMP)

system-packages:
	@bash scripts/install-system-packages.sh

# axe-core for the accessibility test, at the version pinned in package-lock.json
node_modules/.package-lock.json: package-lock.json | system-packages
	npm ci --no-audit --no-fund --loglevel=error

setup: $(STAMP) system-packages node_modules/.package-lock.json
	@mkdir -p $(DAGSTER_HOME) && cp deploy/dagster.$(STORY_DEPLOYMENT).yaml $(DAGSTER_HOME)/dagster.yaml

# One line per stage and a summary on the terminal; the full Dagster log goes to $(DAGSTER_HOME)/logs/.
demo: setup
	@rm -rf $(STORY_DATA_DIR)
	@echo "Synthetic agencies write their files ($(SCALE) scale, seed $(SEED)):"
	@$(BIN)/python -m synthetic --scale $(SCALE) --seed $(SEED) --out $(STORY_DATA_DIR) >/dev/null
	@$(BIN)/story demo-key
	@$(BIN)/python -m orchestration.quiet_run --log $(DAGSTER_HOME)/logs/demo-$$(date +%Y%m%d-%H%M%S).log

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The landing sensor is switched on, so a file dropped into a landing folder is taken in.
dev: setup
	@$(BIN)/dagster sensor start landing_files -w workspace.yaml 2>&1 | grep -E "^Started|already" || true
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf $(VENV) data .dagster_home
