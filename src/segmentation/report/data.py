"""Read the marts the report needs from the DuckDB warehouse, read-only.

The report is a consumer of the warehouse like any other: it opens the file read-only (so a
report can be rendered while nobody else writes, and can never damage the build), reads only
marts and only the columns it shows, and fails with a message that names the table and the
columns when the warehouse is older or newer than the report expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from segmentation.warehouse import (
    WarehouseError,
    connect_read_only,
    quote_identifier,
    relation_name,
)

RUN_FIRST = "run `make run` first to build the warehouse"
MARTS = "marts"
# dim_customer_segments has one `<method>_segment` column per clustering method.
SEGMENT_SUFFIX = "_segment"
# The measures of a segment that the profile tables show, for every method alike.
PROFILE_COLUMNS = (
    "customers",
    "customer_share",
    "median_recency_days",
    "median_frequency",
    "median_monetary",
    "revenue_share",
)


class ReportDataError(WarehouseError):
    """The warehouse cannot feed the report (missing file, table or column)."""


@dataclass(frozen=True)
class TableSpec:
    """One mart the report reads and the columns it needs.

    ``column_suffix`` reads, besides ``columns``, every other column whose name ends with it
    and that ``optional_columns`` does not name (at least one must exist). A missing
    optional column is read as nulls. An optional mart may be absent; a clustering mart is
    optional, and without it the clustering sections give way to a note.
    """

    name: str
    columns: tuple[str, ...]
    optional_columns: tuple[str, ...] = ()
    column_suffix: str | None = None
    optional: bool = False
    clustering: bool = False

    @property
    def qualified(self) -> str:
        return f"{MARTS}.{self.name}"

    @property
    def required(self) -> bool:
        return not (self.optional or self.clustering)

    def missing_from(self, present: list[str]) -> list[str]:
        """The needed columns that ``present`` lacks (``*<suffix>`` when none matches)."""
        missing = [column for column in self.columns if column not in present]
        if self.column_suffix and not self.suffixed(present):
            missing.append(f"*{self.column_suffix}")
        return missing

    def suffixed(self, present: list[str]) -> list[str]:
        """The columns of ``present`` read for ``column_suffix``, in their order."""
        if not self.column_suffix:
            return []
        named = {*self.columns, *self.optional_columns}
        return [c for c in present if c.endswith(self.column_suffix) and c not in named]


TABLE_SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "dim_customers",
        (
            "customer_id",
            "country",
            "rfm_segment",
            "recency_days",
            "frequency",
            "monetary",
            "r_score",
            "f_score",
        ),
        optional_columns=("previous_rfm_segment", "rfm_segment_since"),
    ),
    TableSpec(
        "rpt_headline_figures",
        (
            *("customers", "orders", "products", "countries", "revenue", "average_order_value"),
            *("raw_rows", "valid_rows", "rejected_rows", "valid_row_share"),
            *("first_invoice_date", "last_invoice_date"),
        ),
    ),
    TableSpec(
        "rpt_transaction_audit",
        ("outcome", "row_count", "is_rejected"),
        optional_columns=("outcome_description", "row_share"),
    ),
    TableSpec(
        "rpt_monthly_revenue",
        ("month_start_date", "revenue", "orders", "active_customers", "new_customers"),
        optional_columns=("returns_amount", "return_lines"),
    ),
    TableSpec(
        "rpt_rfm_score_thresholds",
        ("metric", "score", "lower_bound_exclusive", "upper_bound_inclusive", "customers"),
        optional=True,
    ),
    TableSpec(
        "rpt_country_segment_revenue", ("country", "rfm_segment", "country_revenue_rank", "revenue")
    ),
    TableSpec("rpt_product_revenue", ("stock_code", "description", "revenue_rank", "revenue")),
    TableSpec(
        "rpt_rfm_segment_profiles",
        ("rfm_segment", "revenue_rank", *PROFILE_COLUMNS),
        optional_columns=("segment_label", "description", "marketing_action"),
    ),
    TableSpec(
        "dim_customer_segments",
        ("customer_id", "gmm_probability"),
        optional_columns=("previous_kmeans_segment", "kmeans_segment_since"),
        column_suffix=SEGMENT_SUFFIX,
        clustering=True,
    ),
    TableSpec(
        "fct_customer_segment_probabilities",
        ("customer_id", "gmm_segment", "probability"),
        clustering=True,
    ),
    TableSpec(
        "rpt_segment_profiles",
        ("method", "segment", *PROFILE_COLUMNS),
        optional_columns=("segment_rank",),
        clustering=True,
    ),
    TableSpec(
        "rpt_cluster_model_selection",
        ("method", "k"),
        optional_columns=("inertia", "silhouette", "bic", "is_recommended", "is_used"),
        clustering=True,
    ),
    TableSpec(
        "rpt_segmentation_method_agreement",
        ("method_a", "method_b", "adjusted_rand_index"),
        optional_columns=("adjusted_mutual_info",),
        clustering=True,
    ),
    TableSpec(
        "rpt_segmentation_method_crosstab",
        ("method_a", "method_b", "segment_a", "segment_b", "customers"),
        clustering=True,
    ),
    TableSpec(
        "fct_agglomerative_merge_tree",
        ("merge_step", "left_node_id", "right_node_id", "merge_distance", "cluster_size"),
        clustering=True,
    ),
    # Segments over time (report.history): optional, an older warehouse lacks them.
    TableSpec(
        "rpt_segment_migration",
        (
            *("method", "period_type", "from_segment", "to_segment", "customers"),
            *("from_segment_share", "revenue", "from_as_of_date", "to_as_of_date"),
        ),
        optional=True,
    ),
    TableSpec(
        "rpt_customer_lifecycle",
        (
            *("month_start_date", "revenue", "previous_month_revenue", "new_revenue"),
            *("reactivated_revenue", "repeating_revenue_change", "lapsed_revenue"),
            *("active_customers", "new_customers", "repeating_customers"),
            *("reactivated_customers", "lapsed_customers"),
        ),
        optional=True,
    ),
    TableSpec(
        "rpt_cohort_retention",
        (
            *("cohort_month_start_date", "months_since_first_purchase", "cohort_customers"),
            *("active_customers", "customer_share", "revenue"),
        ),
        optional=True,
    ),
    # Future value (report.value): optional, an older warehouse lacks them.
    TableSpec(
        "dim_customer_predictions",
        ("customer_id", "churn_risk", "p_alive", "predicted_clv_365d", "is_control_group"),
        optional=True,
    ),
    TableSpec(
        "rpt_clv_model_parameters",
        ("model", "parameter", "time_unit", "status", "estimate", "customers_used"),
        optional=True,
    ),
    TableSpec(
        "rpt_clv_backtest_tracking",
        (
            *("weeks_from_cutoff", "predicted_cumulative_repeat_purchases"),
            *("actual_cumulative_repeat_purchases", "is_holdout", "week_start_date"),
        ),
        optional=True,
    ),
    TableSpec(
        "rpt_segment_holdout_lift",
        ("method", "segment", "customers", "holdout_buyer_share", "holdout_buyer_lift"),
        optional=True,
    ),
)

SPECS_BY_NAME = {spec.name: spec for spec in TABLE_SPECS}


def _existing_columns(connection: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = connection.execute(
        """
        select table_name, column_name
        from information_schema.columns
        where table_schema = ?
        order by table_name, ordinal_position
        """,
        [MARTS],
    ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table.lower(), []).append(column.lower())
    return columns


def _read_table(
    connection: duckdb.DuckDBPyConnection, spec: TableSpec, present: list[str]
) -> pd.DataFrame:
    wanted = [
        *spec.columns,
        *spec.suffixed(present),
        *(c for c in spec.optional_columns if c in present),
    ]
    select_list = ", ".join(quote_identifier(column) for column in wanted)
    relation = relation_name(MARTS, spec.name)
    frame = connection.execute(f"select {select_list} from {relation}").df()
    for column in spec.optional_columns:
        if column not in frame.columns:
            frame[column] = None
    return frame


def load_tables(warehouse_path: str | Path) -> dict[str, pd.DataFrame]:
    """Read every mart of ``TABLE_SPECS`` that exists, keyed by table name.

    A missing required mart or column raises ``ReportDataError`` naming what is missing;
    a missing clustering mart is simply absent from the result (the report says so), and a
    missing optional column comes back filled with nulls.
    """
    path = Path(warehouse_path)
    connection = connect_read_only(path, ReportDataError, missing_hint=f"To build it, {RUN_FIRST}.")
    try:
        existing = _existing_columns(connection)
        tables: dict[str, pd.DataFrame] = {}
        for spec in TABLE_SPECS:
            present = existing.get(spec.name)
            if present is None:
                if spec.required:
                    raise ReportDataError(
                        f"table {spec.qualified} is missing from {path}: {RUN_FIRST}"
                    )
                continue
            missing = spec.missing_from(present)
            if missing:
                raise ReportDataError(
                    f"table {spec.qualified} in {path} lacks the column(s) "
                    f"{', '.join(missing)} that the report reads (it has: "
                    f"{', '.join(present)}); rebuild it with `make run`"
                )
            tables[spec.name] = _read_table(connection, spec, present)
        return tables
    finally:
        connection.close()
