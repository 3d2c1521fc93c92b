"""The project's own generic tests (macros/generic_tests) catch what they promise to catch.

Each test is applied to a small seed twice: once to a column or table where the rule holds
(the test must pass) and once where it is broken on a known number of rows (the test must
fail with exactly that many failures). The tests run in a throw-away dbt project that uses
this repository's macros, so a change that makes a macro pass everything fails here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _dbt import REPO_ROOT, dbt

pytestmark = pytest.mark.slow

PROJECT = """
name: generic_tests_check
version: "1.0"
config-version: 2
profile: generic_tests_check
flags:
  send_anonymous_usage_stats: false
vars:
  raw_data_path: seeds/rows.csv
  raw_columns:
    customer_id: [CustomerID]
"""

PROFILES = """
generic_tests_check:
  target: duckdb
  outputs:
    duckdb:
      type: duckdb
      path: "{{ env_var('DBT_DUCKDB_PATH') }}"
"""

# amount: two rows out of [0, 100]; (low, high): one row with low > high; (k1, k2): one
# pair occurs twice; CustomerID: one of four blank.
ROWS = """id,amount,low,high,k1,k2,CustomerID
1,5,1,2,a,x,17850
2,-1,1,1,a,y,
3,150,3,2,b,x,13047
4,100,0,0,a,x,12583
"""

# a table whose contract makes customer_id not null (the database enforces it on write)
CONTRACTED_MODEL = """
  - name: {name}
    config: {{materialized: table, contract: {{enforced: true}}}}
    columns:
      - name: customer_id
        data_type: bigint
        constraints: [{{type: not_null}}]"""

PROPERTIES = (
    """
version: 2
models:
  - name: empty_model
    data_tests:
      - not_empty:
          name: fails_not_empty"""
    + CONTRACTED_MODEL.format(name="contracted_with_null")
    + CONTRACTED_MODEL.format(name="contracted_without_null")
    + """
seeds:
  - name: rows
    columns:
      - name: amount
        data_tests:
          - value_between:
              arguments: {min_value: 0, max_value: 100}
              name: fails_value_between
          - value_between:
              arguments: {min_value: -1, max_value: 150}
              name: passes_value_between
          - value_between:
              arguments: {min_value: 0}
              name: fails_value_between_min_only
    data_tests:
      - expression_is_true:
          arguments: {expression: "low <= high"}
          name: fails_expression_is_true
      - expression_is_true:
          arguments: {expression: "id > 0"}
          name: passes_expression_is_true
      - unique_combination:
          arguments: {columns: [k1, k2]}
          name: fails_unique_combination
      - unique_combination:
          arguments: {columns: [id, k1]}
          name: passes_unique_combination
      - not_empty:
          name: passes_not_empty
      - raw_null_share_at_most:
          name: fails_raw_null_share_at_most
          arguments: {column: customer_id, max_share: 0.2}
      - raw_null_share_at_most:
          name: passes_raw_null_share_at_most
          arguments: {column: customer_id, max_share: 0.25}
"""
)

EXPECTED_FAILURES = {
    "fails_value_between": 2,
    "fails_value_between_min_only": 1,
    "fails_expression_is_true": 1,
    "fails_unique_combination": 1,
    "fails_not_empty": 1,
    "fails_raw_null_share_at_most": 1,
}


@pytest.fixture(scope="module")
def check_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("generic_tests_check")
    shutil.copytree(REPO_ROOT / "macros", root / "macros")
    (root / "models").mkdir()
    (root / "seeds").mkdir()
    (root / "dbt_project.yml").write_text(PROJECT)
    (root / "profiles.yml").write_text(PROFILES)
    (root / "seeds" / "rows.csv").write_text(ROWS)
    (root / "models" / "empty_model.sql").write_text("select 1 as id where false")
    customers = "select cast(CustomerID as bigint) as customer_id from {{ ref('rows') }}"
    (root / "models" / "contracted_with_null.sql").write_text(customers)
    (root / "models" / "contracted_without_null.sql").write_text(
        customers + " where CustomerID is not null"
    )
    (root / "models" / "_properties.yml").write_text(PROPERTIES)
    return root


def test_each_generic_test_fails_on_broken_rows_and_passes_on_good_ones(check_project):
    run = dbt("build", check_project / "run", project_dir=check_project, select="rows empty_model")

    outcomes = {
        result["unique_id"].split(".")[2]: (result["status"], result["failures"])
        for result in run.results()
        if result["unique_id"].startswith("test.")
    }
    passing = {name for name in outcomes if name.startswith("passes_")}
    assert set(EXPECTED_FAILURES) <= set(outcomes)
    assert len(passing) == 5
    for name, failures in EXPECTED_FAILURES.items():
        assert outcomes[name] == ("fail", failures), name
    for name in passing:
        assert outcomes[name] == ("pass", 0), name


def test_not_null_constraint_of_a_contract_stops_the_build(check_project):
    # Marts declare not_null as a contract constraint instead of a not_null data test:
    # this holds only if DuckDB enforces it when dbt-duckdb writes the table.
    work = check_project / "constraints"
    assert dbt("seed", work, project_dir=check_project).returncode == 0
    run = dbt(
        "run", work, project_dir=check_project,
        select="contracted_with_null contracted_without_null",
    )  # fmt: skip

    statuses = {result["unique_id"].split(".")[2]: result for result in run.results()}
    assert statuses["contracted_without_null"]["status"] == "success"
    failed = statuses["contracted_with_null"]
    assert failed["status"] == "error"
    assert "NOT NULL constraint failed" in failed["message"]
    assert "customer_id" in failed["message"]
