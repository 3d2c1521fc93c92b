# Two commands matter: `make run` (build everything) and `make test` (check everything).
# Everything runs from a project-local virtual environment created on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?=
WAREHOUSE ?= warehouse/segmentation.duckdb
TEST_WAREHOUSE := warehouse/test.duckdb
TEST_DATA := data/raw/test_synthetic.parquet

export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export DBT_DUCKDB_PATH ?= $(WAREHOUSE)

.PHONY: help run build report test lint pytest dbt-test clean

help:
	@echo "make run [DATA=path]  obtain data, dbt build, render reports/segmentation_report.html"
	@echo "make test             ruff, sqlfluff, pytest and dbt build (on synthetic data)"
	@echo "make report           render the report from an existing warehouse"
	@echo "make lint             ruff and sqlfluff only"
	@echo "make clean            remove the warehouse, dbt target/ and the report"

$(VENV)/.runtime: requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@touch $@

run: $(VENV)/.runtime
	$(BIN)/segmentation run $(if $(DATA),--data "$(DATA)")

report: $(VENV)/.runtime
	$(BIN)/segmentation report

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/sqlfluff lint models macros tests analyses

pytest: $(VENV)/.dev
	$(BIN)/pytest

# dbt build (models, unit tests, data tests) on a small deterministic synthetic file, so that
# `make test` checks the whole project anywhere; the real file is built by pytest when present.
dbt-test: $(VENV)/.dev
	$(BIN)/segmentation synthesize --lines 60000 --customers 800 --out $(TEST_DATA)
	DBT_DUCKDB_PATH=$(TEST_WAREHOUSE) $(BIN)/dbt build --vars '{raw_data_path: $(TEST_DATA)}'

test: lint pytest dbt-test

clean:
	rm -rf target warehouse reports/*.html
