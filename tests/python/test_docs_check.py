"""Documentation coverage from dbt artifacts, on small hand-made manifest and catalog dicts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from docs_check import (
    ArtifactError,
    Gap,
    compiled_analyses,
    documentation_coverage,
    example_queries,
    failing_examples,
    load_artifacts,
    main,
    repair_static_site,
)

PROJECT = "customer_segmentation"


def model(name: str, description: str = "", columns: dict | None = None, **extra) -> dict:
    """A manifest node as dbt writes it, with only the keys the check reads."""
    node = {
        "unique_id": f"model.{PROJECT}.{name}",
        "resource_type": "model",
        "package_name": PROJECT,
        "name": name,
        "description": description,
        "columns": {
            column: {"name": column, "description": text}
            for column, text in (columns or {}).items()
        },
    }
    return {**node, **extra}


def source(name: str, description: str = "", columns: dict | None = None) -> dict:
    return {
        **model(name, description, columns),
        "unique_id": f"source.{PROJECT}.online_retail.{name}",
        "resource_type": "source",
        "source_name": "online_retail",
    }


def manifest_of(*nodes: dict) -> dict:
    return {
        "metadata": {"project_name": PROJECT},
        "nodes": {n["unique_id"]: n for n in nodes if n["resource_type"] != "source"},
        "sources": {n["unique_id"]: n for n in nodes if n["resource_type"] == "source"},
    }


def catalog_of(columns_by_id: dict[str, list[str]]) -> dict:
    return {
        "nodes": {
            unique_id: {
                "columns": {
                    name: {"name": name, "index": index, "type": "VARCHAR"}
                    for index, name in enumerate(columns, start=1)
                }
            }
            for unique_id, columns in columns_by_id.items()
        },
        "sources": {},
    }


def test_fully_described_project_is_complete():
    # given a model and a source whose descriptions cover every column in the warehouse
    dim = model("dim_customers", "One row per customer.", {"customer_id": "Customer number."})
    raw = source("invoice_lines", "Raw lines.", {"InvoiceNo": "Invoice number."})
    catalog = catalog_of({dim["unique_id"]: ["customer_id"]})
    # when coverage is computed
    coverage = documentation_coverage(manifest_of(dim, raw), catalog)
    # then everything counts as described
    assert coverage.complete
    assert (coverage.resources, coverage.resources_described) == (2, 2)
    assert (coverage.columns, coverage.columns_described) == (2, 2)
    assert coverage.column_percent == 100.0


def test_column_in_warehouse_but_not_in_yml_is_a_gap():
    # given a model whose yml lists one of its two warehouse columns
    dim = model("dim_customers", "One row per customer.", {"customer_id": "Customer number."})
    catalog = catalog_of({dim["unique_id"]: ["customer_id", "country"]})
    # when coverage is computed with the catalog
    coverage = documentation_coverage(manifest_of(dim), catalog)
    # then the undocumented column is reported, and half the columns are covered
    assert coverage.gaps == [Gap("model", "dim_customers", "country")]
    assert coverage.column_percent == 50.0


def test_without_catalog_only_yml_columns_are_checked():
    # given the same model and no catalog
    dim = model("dim_customers", "One row per customer.", {"customer_id": "Customer number."})
    # when coverage is computed from the manifest alone
    coverage = documentation_coverage(manifest_of(dim), None)
    # then the column the yml does not list cannot be seen
    assert coverage.complete and coverage.columns == 1


def test_blank_descriptions_count_as_missing():
    # given a model with a whitespace description and a column with an empty one
    dim = model("dim_customers", "   ", {"customer_id": ""})
    # when coverage is computed
    coverage = documentation_coverage(manifest_of(dim), None)
    # then both are gaps, named so a reader can find them
    assert [str(gap) for gap in coverage.gaps] == [
        "model dim_customers: no description",
        "model dim_customers: column customer_id has no description",
    ]


def test_column_names_compare_case_insensitively():
    # given a source documented as `InvoiceNo` that the warehouse reports as `invoiceno`
    raw = source("invoice_lines", "Raw lines.", {"InvoiceNo": "Invoice number."})
    catalog = {"nodes": {}, "sources": {raw["unique_id"]: {"columns": {
        "invoiceno": {"name": "invoiceno", "index": 1}}}}}  # fmt: skip
    # when coverage is computed
    coverage = documentation_coverage(manifest_of(raw), catalog)
    # then the column is described, and the source is named with its source name
    assert coverage.complete
    empty = documentation_coverage(manifest_of(source("invoice_lines")), None)
    assert empty.gaps == [Gap("source", "online_retail.invoice_lines")]


def test_documented_column_absent_from_warehouse_is_a_warning_not_a_gap():
    # given a yml column the warehouse no longer has
    dim = model("dim_customers", "One row per customer.", {"old_name": "Renamed since."})
    catalog = catalog_of({dim["unique_id"]: []})
    # when coverage is computed
    coverage = documentation_coverage(manifest_of(dim), catalog)
    # then it is listed as stale, and nothing lacks a description
    assert coverage.complete
    assert coverage.stale_columns == [
        "model dim_customers: column old_name is documented but not in the warehouse"
    ]


def test_other_packages_tests_and_analyses_are_ignored():
    # given nodes of a dependency package, a test and an analysis, none described
    foreign = {**model("util_model"), "package_name": "dbt_utils"}
    test = {**model("not_null_x"), "resource_type": "test"}
    analysis = {**model("revenue_by_segment"), "resource_type": "analysis"}
    seed = {**model("rfm_segments", "One row per segment."), "resource_type": "seed"}
    # when coverage is computed
    coverage = documentation_coverage(manifest_of(foreign, test, analysis, seed), None)
    # then only the project's seed counts
    assert coverage.resources == 1 and coverage.complete


def test_example_queries_are_found_and_run(tmp_path):
    # given a warehouse and two models whose descriptions hold a good and a broken example
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema marts; create table marts.t as select 1 as x")
    good = model("t", "One row.\n\n```sql\nselect x from marts.t\n```\n")
    broken = model("u", "One row.\n\n```sql\nselect y from marts.t\n```")
    manifest = manifest_of(good, broken)
    # when the examples are extracted and run
    found = example_queries(manifest)
    failures = failing_examples(manifest, warehouse)
    # then both are found and only the broken one fails, naming its model
    assert found == [
        ("example query of t", "select x from marts.t"),
        ("example query of u", "select y from marts.t"),
    ]
    assert len(failures) == 1 and failures[0].startswith("example query of u fails:")


def test_compiled_analyses_run_and_uncompiled_ones_are_skipped(tmp_path):
    # given a warehouse, a compiled analysis that works, one that fails and one not compiled
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema marts; create table marts.t as select 1 as x")
    good = {**model("good"), "resource_type": "analysis", "compiled_code": "select x from marts.t"}
    bad = {**model("bad"), "resource_type": "analysis", "compiled_code": "select * from nowhere"}
    raw = {**model("raw"), "resource_type": "analysis"}
    manifest = manifest_of(good, bad, raw)
    # when the compiled analyses are run
    queries = compiled_analyses(manifest)
    failures = failing_examples(manifest, warehouse, queries)
    # then both compiled ones ran and the broken one is named
    assert [name for name, _sql in queries] == ["analysis bad", "analysis good"]
    assert len(failures) == 1 and failures[0].startswith("analysis bad fails:")


def write_target(folder: Path, manifest: dict, catalog: dict | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if catalog is not None:
        (folder / "catalog.json").write_text(json.dumps(catalog), encoding="utf-8")
    return folder


def test_missing_catalog_is_a_clear_error(tmp_path):
    # given a target folder with a manifest only
    target = write_target(tmp_path / "target", manifest_of(), None)
    # when the artifacts are loaded with the catalog required
    with pytest.raises(ArtifactError, match=r"catalog\.json not found: run `dbt docs generate`"):
        load_artifacts(target)
    # then without the requirement the catalog is simply absent
    assert load_artifacts(target, require_catalog=False)[1] is None


def test_main_lists_gaps_and_fails(tmp_path, capsys):
    # given a target with one undocumented column
    dim = model("dim_customers", "One row per customer.", {"customer_id": ""})
    target = write_target(tmp_path / "target", manifest_of(dim), catalog_of({}))
    # when the command runs
    code = main(["coverage", str(target)])
    # then it exits 1 and names the column
    out = capsys.readouterr().out
    assert code == 1
    assert "missing: model dim_customers: column customer_id has no description" in out
    assert "0/1 columns (0.0%)" in out


def test_main_passes_on_complete_docs_and_reports_missing_artifacts(tmp_path, capsys):
    # given a complete target and an empty folder
    dim = model("dim_customers", "One row per customer.", {"customer_id": "Customer number."})
    target = write_target(tmp_path / "target", manifest_of(dim), catalog_of({}))
    # when the command runs on each
    assert main(["coverage", str(target)]) == 0
    assert main(["coverage", str(tmp_path / "nothing")]) == 2
    # then the second run says which file is missing
    assert "manifest.json not found" in capsys.readouterr().err


def test_repair_static_site_fixes_both_slips_and_leaves_the_rest(tmp_path):
    # given a page with the two dbt-docs slips and an unrelated binding
    page = tmp_path / "static_index.html"
    page.write_text(
        '<head><link rel="shortcut icon" '
        "href=\"${require('./assets/favicons/favicon.ico')}\"/></head>"
        "<use xlink:href=\"{{ getIcon(item.type, 'on') }}\"></use>"
        '<use xlink:href="#icn-close"></use>',
        encoding="utf-8",
    )
    # when it is repaired twice
    first = repair_static_site(page)
    second = repair_static_site(page)
    # then the first run fixes both, the second finds nothing, and static hrefs stay
    text = page.read_text(encoding="utf-8")
    assert len(first) == 2 and second == []
    assert "require(" not in text and '<link rel="icon" href="data:,"/>' in text
    assert "ng-attr-xlink:href=\"{{ getIcon(item.type, 'on') }}\"" in text
    assert '<use xlink:href="#icn-close">' in text


def test_repair_of_a_missing_site_is_a_clear_error(tmp_path, capsys):
    # given no generated site, when the command runs, then it exits 2 naming the file
    assert main(["repair-site", str(tmp_path / "static_index.html")]) == 2
    assert "static_index.html not found" in capsys.readouterr().err


def test_runs_as_a_script_outside_the_package(tmp_path):
    # given the tool started as the Makefile starts it, by its path
    script = Path(__file__).resolve().parents[2] / "tools" / "docs_check.py"
    missing = tmp_path / "static_index.html"
    # when it is asked to repair a site that is not there
    done = subprocess.run(
        [sys.executable, str(script), "repair-site", str(missing)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    # then it ran (imports resolved) and refused with its own message
    assert done.returncode == 2, done.stderr
    assert "static_index.html not found" in done.stderr
