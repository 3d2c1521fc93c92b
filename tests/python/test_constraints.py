"""The marts' contract constraints stop the build on a row that breaks them.

Rules DuckDB can enforce when it writes a table (not null, unique keys, checks such as
ranges, accepted values and row invariants) are constraints of the marts' contracts
instead of data tests. Given the project built on a small synthetic file, when a real
mart's query is made to return one row that breaks one of its constraints, then
`dbt run` fails on that model with DuckDB's message naming the rule. On adapters that do
not enforce constraints (dbt-spark on Parquet), the generic test contract_constraints_hold
checks the same constraints: given a copy of dim_customers with broken rows, it reports
each broken constraint.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from _dbt import REPO_ROOT, dbt

from segmentation.ingest.synthetic import generate

pytestmark = pytest.mark.slow

MART = "dim_customers"
MART_SQL = "models/marts/customers/dim_customers.sql"
PROJECT_PARTS = [
    "dbt_project.yml", "profiles.yml", "selectors.yml",
    "models", "macros", "seeds", "snapshots", "analyses",
]  # fmt: skip

# Per constraint kind of dim_customers' contract: the mart's rows made to break it, and what
# the failed run must print (DuckDB's message names the column or the check's expression).
BROKEN_ROWS = {
    "not_null": (
        "select * replace (cast(null as integer) as frequency) from mart_rows",
        ["NOT NULL constraint failed", "frequency"],
    ),
    "unique": (
        "select * from mart_rows union all (select * from mart_rows limit 1)",
        ["PRIMARY KEY or UNIQUE constraint violation", "duplicate key"],
    ),
    "check": (
        "select * replace (0 as recency_days) from mart_rows",
        ["CHECK constraint failed", "recency_days >= 1"],
    ),
}


@pytest.fixture(scope="module")
def built_project(tmp_path_factory):
    """A copy of the project, its customer marts built on 3,000 synthetic lines."""
    root = tmp_path_factory.mktemp("constraints")
    project = root / "project"
    for part in PROJECT_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, project / part)
        else:
            project.mkdir(exist_ok=True)
            shutil.copy(source, project / part)
    raw = generate(root / "lines.parquet", 3_000, 200, seed=42, progress=False)
    dbt_vars = {"raw_data_path": str(raw)}
    run = dbt(
        "build --resource-type seed --resource-type model", root / "work",
        dbt_vars=dbt_vars, select=f"+{MART}", project_dir=project,
    )  # fmt: skip
    assert run.returncode == 0, run.output
    return project, root / "work", dbt_vars


@pytest.mark.parametrize("kind", sorted(BROKEN_ROWS))
def test_a_row_breaking_a_constraint_stops_the_build(built_project, kind):
    project, work, dbt_vars = built_project
    mart_sql = project / MART_SQL
    original = mart_sql.read_text(encoding="utf-8")
    broken_select, expected = BROKEN_ROWS[kind]
    mart_sql.write_text(f"with mart_rows as (\n{original}\n)\n{broken_select}\n", encoding="utf-8")
    try:
        run = dbt("run", work, dbt_vars=dbt_vars, select=MART, project_dir=project)
    finally:
        mart_sql.write_text(original, encoding="utf-8")

    assert run.returncode != 0
    assert f"Runtime Error in model {MART}" in run.output
    for text in expected:
        assert text in run.output
    # the model's constraint, not the test's edit, stopped it: the real query still builds
    assert dbt("run", work, dbt_vars=dbt_vars, select=MART, project_dir=project).returncode == 0


def test_contract_constraints_hold_reports_each_broken_constraint(built_project):
    project, work, dbt_vars = built_project
    # each change breaks one constraint only: a null frequency passes frequency >= 1
    broken = (
        "create schema if not exists broken;"
        " create or replace table broken.dim_customers as"
        " select * replace ("
        "  case when customer_id % 7 = 0 then null else frequency end as frequency,"
        "  case when customer_id % 5 = 0 then 0 else recency_days end as recency_days)"
        f" from marts.{MART}"
        f" union all (select * from marts.{MART} order by customer_id limit 2)"
    )
    with duckdb.connect(str(work / "warehouse.duckdb")) as connection:
        connection.execute(broken)
        (expected,) = connection.sql(
            "select count(*) filter (where frequency is null),"
            " count(*) filter (where recency_days < 1)"
            " from broken.dim_customers"
        ).fetchall()
    # one word: dbt() splits its command on spaces
    relation = f"api.Relation.create(database='warehouse',schema='broken',identifier='{MART}')"
    run = dbt(
        "show --quiet --output json --limit 100 --inline"
        f" {{{{test_contract_constraints_hold(model={relation})}}}}",
        work, dbt_vars=dbt_vars, project_dir=project,
    )  # fmt: skip
    assert run.returncode == 0, run.output
    shown = json.loads(run.output[run.output.index("{") : run.output.rindex("}") + 1])["show"]
    found = {row["broken_constraint"]: row["rows_breaking"] for row in shown}
    assert found == {
        "unique customer_id": 2,
        "not_null frequency": expected[0],
        "check recency_days >= 1": expected[1],
    }


def test_the_view_of_valid_lines_has_its_constraints_checked_by_its_test(built_project):
    # fct_invoice_lines is a view, whose constraints no database enforces; given two valid
    # lines of the classified table it reads made to break one constraint each
    project, work, dbt_vars = built_project
    built = dbt("run", work, dbt_vars=dbt_vars, select="fct_invoice_lines", project_dir=project)
    assert built.returncode == 0, built.output
    lines = "intermediate.int_invoice_lines_classified"
    with duckdb.connect(str(work / "warehouse.duckdb")) as connection:
        first, second, quantity, customer = connection.execute(
            f"select min(invoice_line_id), max(invoice_line_id), arg_min(quantity,"
            f" invoice_line_id), arg_max(customer_id, invoice_line_id)"
            f" from {lines} where outcome = 'valid'"
        ).fetchone()
        connection.execute(f"update {lines} set quantity = 0 where invoice_line_id = {first}")
        connection.execute(
            f"update {lines} set customer_id = null where invoice_line_id = {second}"
        )
    try:
        test = dbt(
            "test", work, dbt_vars=dbt_vars, project_dir=project,
            select="fct_invoice_lines,test_name:contract_constraints_hold",
        )  # fmt: skip
        shown = dbt(
            "show --quiet --output json --limit 100 --inline"
            " {{test_contract_constraints_hold(model=ref('fct_invoice_lines'),is_view=true)}}",
            work, dbt_vars=dbt_vars, project_dir=project,
        )  # fmt: skip
    finally:
        with duckdb.connect(str(work / "warehouse.duckdb")) as connection:
            connection.execute(
                f"update {lines} set quantity = {quantity} where invoice_line_id = {first}"
            )
            connection.execute(
                f"update {lines} set customer_id = {customer} where invoice_line_id = {second}"
            )

    # then the build's test fails on the view, and it names each broken rule
    assert test.returncode != 0, test.output
    assert "Failure in test contract_constraints_hold_fct_invoice_lines" in test.output
    assert shown.returncode == 0, shown.output
    rows = json.loads(shown.output[shown.output.index("{") : shown.output.rindex("}") + 1])["show"]
    assert {row["broken_constraint"]: row["rows_breaking"] for row in rows} == {
        "check quantity >= 1": 1,
        "not_null customer_id": 1,
    }
