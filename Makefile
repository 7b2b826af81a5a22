# Leadwerk developer verbs. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -not -path 'dbt_project/target/*' 2>/dev/null)
DBT := $(BIN)/dbt --no-use-colors
DBT_ARGS := --project-dir dbt_project --profiles-dir dbt_project
export LEADWERK_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(LEADWERK_DATA_DIR)/dagster_home

.PHONY: setup run test ui bench manifest clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

# dagster-dbt reads the dbt manifest at import time; outside `dagster dev` nobody else makes it.
$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	$(DBT) parse --quiet $(DBT_ARGS)
	touch $(MANIFEST)

manifest: $(MANIFEST)

setup: $(INSTALLED) $(MANIFEST)

run: setup
	$(BIN)/leadwerk run

test: setup
	$(BIN)/pytest

ui: setup
	$(BIN)/python -c "from orchestration.instance import prepare_dagster_home; prepare_dagster_home()"
	$(BIN)/dagster dev -m orchestration.definitions

bench: setup
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
