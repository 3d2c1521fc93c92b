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
