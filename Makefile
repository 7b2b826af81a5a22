# Leadwerk developer verbs. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -not -path 'dbt_project/target/*' 2>/dev/null)
export LEADWERK_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(LEADWERK_DATA_DIR)/dagster_home

.PHONY: setup run test lint fix ui bench manifest clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

# dagster-dbt reads the dbt manifest at import time; outside `dagster dev` nobody else makes it.
# Parsed as runs parse (inside dbt_project/, with the warehouse path they use), so their dbt
# builds can reuse it: partial parsing keeps file paths relative to where dbt was started.
$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	cd dbt_project && LEADWERK_WAREHOUSE=$(LEADWERK_DATA_DIR)/warehouse.duckdb \
		../$(BIN)/dbt --no-use-colors parse --quiet --project-dir . --profiles-dir .
	touch $(MANIFEST)

manifest: $(MANIFEST)

setup: $(INSTALLED) $(MANIFEST)

run: setup
	$(BIN)/leadwerk run

# One pytest worker per core (pytest-xdist); a test file stays on one worker, so its module
# fixtures (a generated warehouse, a Dagster run) are built once. PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= auto

test: setup lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

# Python (ruff) and SQL (sqlfluff, DuckDB dialect, dbt templater). The templater compiles the
# project into its own target folder and warehouse, so it never touches the run's dbt state.
SQLFLUFF_ENV := DBT_TARGET_PATH=$(LEADWERK_DATA_DIR)/lint/dbt_target \
	LEADWERK_WAREHOUSE=$(LEADWERK_DATA_DIR)/lint/warehouse.duckdb
SQL_PATHS := models tests snapshots

lint: $(INSTALLED)
	$(BIN)/ruff check .
	mkdir -p $(LEADWERK_DATA_DIR)/lint
	cd dbt_project && $(SQLFLUFF_ENV) ../$(BIN)/sqlfluff lint $(SQL_PATHS) --processes 2 --disable-progress-bar

fix: $(INSTALLED)
	$(BIN)/ruff check --fix .
	mkdir -p $(LEADWERK_DATA_DIR)/lint
	cd dbt_project && $(SQLFLUFF_ENV) ../$(BIN)/sqlfluff fix $(SQL_PATHS) --processes 2 --disable-progress-bar

ui: setup
	$(BIN)/python -c "from orchestration.instance import prepare_dagster_home; prepare_dagster_home()"
	$(BIN)/dagster dev -m orchestration.definitions

bench: setup
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
