# Two commands matter: `make run` (build everything) and `make test` (check everything).
# Everything runs from a project-local virtual environment created on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?=
# 1: rebuild the line-level tables from every file of a DATA folder (daily runs append).
FULL_REFRESH ?=
# Seconds `make run` waits for another run building the same warehouse; empty: exit at once.
WAIT ?=
WAREHOUSE ?= warehouse/segmentation.duckdb
TEST_WAREHOUSE := warehouse/test.duckdb
TEST_DATA := data/raw/test_synthetic.parquet
# Benchmark tiers (real, 10m, 100m) and extra options for bench/run.py, e.g.
# `make bench TIERS="10m" BENCH_ARGS="--sql-only"`.
TIERS ?= real 10m
BENCH_ARGS ?=
# The daily tier's history sizes in lines (a folder of monthly files plus one day's file):
# `make bench DAILY="1000000"`; empty: no daily tier. bench-full adds 100M lines.
DAILY ?= 10000000
DOCS_SITE = $(DBT_TARGET_PATH)/static_index.html
EXPORT_DIR ?= exports

# dbt runs through `segmentation dbt ...`, which sets its profile, project and no-tracking
# environment (src/segmentation/dbt_runner.py); only the warehouse and target are set here.
DBT := $(BIN)/segmentation dbt
export DBT_DUCKDB_PATH ?= $(WAREHOUSE)
# dbt's artifacts (manifest, catalog, docs site); dbt reads the same variable
export DBT_TARGET_PATH ?= target

.PHONY: help run run-spark build report test lint pytest dbt-test clean bench bench-full docs export score docs-check

help:
	@echo "make run [DATA=path]  obtain data, dbt build, render reports/segmentation_report.html"
	@echo "  DATA=folder/        a folder of files of one schema: later runs load new files only"
	@echo "  [FULL_REFRESH=1]    rebuild from every file of the folder"
	@echo "  [WAIT=seconds]      wait that long for another run of the same warehouse to end"
	@echo "make run-spark [DATA=path]  the SQL marts on a local Apache Spark (Java 17+),"
	@echo "                      each exported to $(EXPORT_DIR)/spark/<mart>.parquet"
	@echo "make test             lint, pytest, dbt build and docs coverage (on synthetic data)"
	@echo "make report           render the report from an existing warehouse"
	@echo "make lint             ruff, sqlfluff and dbt-score only"
	@echo "make docs             dbt docs site of the warehouse as one file: $(DOCS_SITE)"
	@echo "make export           every mart as Parquet, and audience CSVs, under $(EXPORT_DIR)/"
	@echo "make score            dbt-score (thresholds in pyproject.toml)"
	@echo "make docs-check       documentation coverage, example queries and analyses"
	@echo "make clean            remove the warehouse, dbt target/ and the report"
	@echo "make bench            dbt build vs notebook vs one-query floor -> BENCHMARKS.md"
	@echo "make bench-full       the same plus the 100M-line / 1M-customer tier"

$(VENV)/.runtime: requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@touch $@

# PySpark and dbt-spark: for run-spark and the Spark tests, not for `make run`.
$(VENV)/.spark: $(VENV)/.runtime requirements-spark.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.lock
	@touch $@

run: $(VENV)/.runtime
	$(BIN)/segmentation run $(if $(DATA),--data "$(DATA)") $(if $(WAIT),--wait $(WAIT)) \
		$(if $(FULL_REFRESH),--full-refresh)

# The file loaded into a Spark table, the sql_marts selection built on it by dbt-spark (models,
# seeds, unit and data tests), each mart written as Parquet; the Python models need Databricks.
run-spark: $(VENV)/.spark
	$(BIN)/segmentation spark $(if $(DATA),--data "$(DATA)") --out "$(EXPORT_DIR)/spark"

report: $(VENV)/.runtime
	$(BIN)/segmentation report

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/sqlfluff lint models macros tests analyses snapshots
	@$(MAKE) --no-print-directory score

# dbt-score on the parsed project: fails under the thresholds of [tool.dbt-score].
score: $(VENV)/.dev
	$(DBT) parse --quiet
	$(BIN)/dbt-score lint --manifest $(DBT_TARGET_PATH)/manifest.json

# with PySpark and dbt-spark, so that the Spark tests run wherever Java is installed
pytest: $(VENV)/.dev $(VENV)/.spark
	$(BIN)/pytest

# dbt build (models, unit tests, data tests) on a small deterministic synthetic file, so that
# `make test` checks the whole project anywhere; the real file is built by pytest when present.
dbt-test: $(VENV)/.dev
	$(BIN)/segmentation synthesize --lines 60000 --customers 800 --out $(TEST_DATA)
	DBT_DUCKDB_PATH=$(TEST_WAREHOUSE) $(DBT) build --vars '{raw_data_path: $(TEST_DATA)}'

# Every model, seed, source and column described (manifest + catalog of the test warehouse),
# and every example query of the docs and every analysis compiled and run against it.
docs-check: dbt-test
	DBT_DUCKDB_PATH=$(TEST_WAREHOUSE) $(DBT) docs generate --vars '{raw_data_path: $(TEST_DATA)}'
	$(BIN)/python tools/docs_check.py coverage $(DBT_TARGET_PATH) --warehouse $(TEST_WAREHOUSE)

test: lint pytest dbt-test docs-check

# The docs site of the built warehouse as one HTML file (manifest and catalog inlined) that
# opens offline from disk or an e-mail attachment.
docs: $(VENV)/.runtime
	@test -f "$(DBT_DUCKDB_PATH)" || { echo "error: no warehouse at $(DBT_DUCKDB_PATH): run make run first" >&2; exit 2; }
	$(DBT) parse --quiet
	$(DBT) docs generate --static --no-compile
	$(BIN)/python tools/docs_check.py repair-site $(DOCS_SITE)

# Every mart as Parquet, for tools that cannot read a DuckDB file (read-only, beside readers).
export: $(VENV)/.runtime
	$(BIN)/segmentation export --warehouse "$(DBT_DUCKDB_PATH)" --out "$(EXPORT_DIR)"

clean:
	rm -rf target warehouse reports/*.html

# Benchmarks: each tier runs the project's dbt build, the seed-style notebook and the
# one-query floor in separate processes; writes bench/results/*.json and BENCHMARKS.md.
# Synthetic tiers are generated once into data/raw/bench/ (deterministic, seed 42).
bench: $(VENV)/.runtime
	$(BIN)/python bench/run.py --tiers $(TIERS) $(if $(DAILY),--daily $(DAILY)) $(BENCH_ARGS)

bench-full: $(VENV)/.runtime
	$(BIN)/python bench/run.py --tiers real 10m 100m --daily $(DAILY) 100000000 $(BENCH_ARGS)
