"""Read the marts the report needs from the DuckDB warehouse, read-only.

The report is a consumer of the warehouse like any other: it opens the file read-only (so a
report can be rendered while nobody else writes, and can never damage the build), reads only
the columns it shows, and fails with a message that names the table and the columns when the
warehouse is older or newer than the report expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from segmentation.warehouse import connect_read_only, quote_identifier

RUN_FIRST = "run `make run` first to build the warehouse"


class ReportDataError(RuntimeError):
    """The warehouse cannot feed the report (missing file, table or column)."""


@dataclass(frozen=True)
class TableSpec:
    """One table the report reads: where it lives and which columns it needs."""

    schema: str
    name: str
    columns: tuple[str, ...]
    optional_columns: tuple[str, ...] = ()
    required: bool = True
    clustering: bool = False

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


TABLE_SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "marts",
        "dim_customers",
        (
            "customer_id",
            "country",
            "rfm_cell",
            "rfm_segment",
            "recency_days",
            "frequency",
            "monetary",
            "r_score",
            "f_score",
            "m_score",
        ),
        optional_columns=(
            "monetary_net",
            "average_order_value",
            "first_purchase_at",
            "last_purchase_at",
        ),
    ),
    TableSpec(
        "marts",
        "fct_invoice_lines",
        (
            "invoice_id",
            "stock_code",
            "description",
            "country",
            "customer_id",
            "line_amount",
            "invoiced_at",
        ),
    ),
    TableSpec(
        "marts",
        "rpt_transaction_audit",
        ("outcome", "row_count"),
        optional_columns=("outcome_description", "row_share"),
    ),
    TableSpec(
        "marts",
        "rpt_monthly_revenue",
        ("month_start_date", "revenue", "orders", "active_customers", "new_customers"),
        optional_columns=("returns_amount", "return_lines"),
    ),
    TableSpec(
        "marts",
        "rpt_rfm_score_thresholds",
        ("metric", "score", "lower_bound_exclusive", "upper_bound_inclusive", "customers"),
        required=False,
    ),
    TableSpec(
        "seeds",
        "rfm_segments",
        ("rfm_segment",),
        optional_columns=("segment_label", "description", "marketing_action"),
        required=False,
    ),
    TableSpec(
        "marts",
        "dim_customer_segments",
        (
            "customer_id",
            "kmeans_segment",
            "agglomerative_segment",
            "gmm_segment",
            "gmm_probability",
        ),
        optional_columns=(
            "kmeans_segment_rank",
            "agglomerative_segment_rank",
            "gmm_segment_rank",
            "gmm_entropy",
        ),
        required=False,
        clustering=True,
    ),
    TableSpec(
        "marts",
        "fct_customer_segment_probabilities",
        ("customer_id", "gmm_segment", "probability"),
        optional_columns=("gmm_segment_rank", "is_assigned"),
        required=False,
        clustering=True,
    ),
    TableSpec(
        "marts",
        "rpt_segment_profiles",
        (
            "method",
            "segment",
            "customers",
            "customer_share",
            "median_recency_days",
            "median_frequency",
            "median_monetary",
            "revenue_share",
        ),
        optional_columns=(
            "segment_rank",
            "mean_recency_days",
            "mean_frequency",
            "mean_monetary",
            "value_score",
        ),
        required=False,
        clustering=True,
    ),
    TableSpec(
        "marts",
        "rpt_cluster_model_selection",
        ("method", "k"),
        optional_columns=(
            "inertia",
            "silhouette",
            "calinski_harabasz",
            "davies_bouldin",
            "bic",
            "aic",
            "is_recommended",
            "is_used",
        ),
        required=False,
        clustering=True,
    ),
    TableSpec(
        "marts",
        "rpt_segmentation_method_agreement",
        ("method_a", "method_b", "adjusted_rand_index"),
        optional_columns=("adjusted_mutual_info",),
        required=False,
        clustering=True,
    ),
    TableSpec(
        "marts",
        "rpt_segmentation_method_crosstab",
        ("method_a", "method_b", "segment_a", "segment_b", "customers"),
        required=False,
        clustering=True,
    ),
    TableSpec(
        "marts",
        "fct_agglomerative_merge_tree",
        ("merge_step", "left_node_id", "right_node_id", "merge_distance", "cluster_size"),
        required=False,
        clustering=True,
    ),
)

SPECS_BY_NAME = {spec.name: spec for spec in TABLE_SPECS}


def _existing_columns(connection: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[str]]:
    rows = connection.execute(
        """
        select table_schema, table_name, column_name
        from information_schema.columns
        order by table_schema, table_name, ordinal_position
        """
    ).fetchall()
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        columns.setdefault((schema.lower(), table.lower()), []).append(column.lower())
    return columns


def load_tables(warehouse_path: str | Path) -> dict[str, pd.DataFrame]:
    """Read every table of ``TABLE_SPECS`` that exists, keyed by table name.

    A missing required table or column raises ``ReportDataError`` naming what is missing;
    a missing optional table is simply absent from the result (the report says so), and a
    missing optional column comes back filled with nulls.
    """
    path = Path(warehouse_path)
    connection = connect_read_only(path, ReportDataError, missing_hint=f"To build it, {RUN_FIRST}.")
    try:
        existing = _existing_columns(connection)
        tables: dict[str, pd.DataFrame] = {}
        for spec in TABLE_SPECS:
            present = existing.get((spec.schema, spec.name))
            if present is None:
                if spec.required:
                    raise ReportDataError(
                        f"table {spec.qualified} is missing from {path}: {RUN_FIRST}"
                    )
                continue
            missing = [column for column in spec.columns if column not in present]
            if missing:
                raise ReportDataError(
                    f"table {spec.qualified} in {path} lacks the column(s) "
                    f"{', '.join(missing)} that the report reads (it has: "
                    f"{', '.join(present)}); rebuild it with `make run`"
                )
            wanted = list(spec.columns) + [c for c in spec.optional_columns if c in present]
            select_list = ", ".join(quote_identifier(column) for column in wanted)
            relation = f"{quote_identifier(spec.schema)}.{quote_identifier(spec.name)}"
            frame = connection.execute(f"select {select_list} from {relation}").df()
            for column in spec.optional_columns:
                if column not in frame.columns:
                    frame[column] = None
            tables[spec.name] = frame
        return tables
    finally:
        connection.close()
