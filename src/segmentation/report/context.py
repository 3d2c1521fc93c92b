"""Turn the marts into everything the report template shows: numbers, tables and figures.

``build_context`` is pure (frames in, a dict out) so it is tested on small hand-made frames
without DuckDB. It reads top to bottom as the page does: one step per section, each
returning what its section shows. Figures stay ``plotly`` objects here; ``render``
serialises them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy

from segmentation.report import charts, history, value
from segmentation.report.colors import default_segment_label, segment_color
from segmentation.report.data import (
    RUN_FIRST,
    SEGMENT_SUFFIX,
    SPECS_BY_NAME,
    ReportDataError,
)

# The explorer and the 3D scatter embed at most this many customers, the highest spenders.
DEFAULT_MAX_EXPLORER_CUSTOMERS = 20_000
# A mixture assignment below this probability is shown as ambiguous.
DEFAULT_AMBIGUOUS_BELOW = 0.8
AMBIGUOUS_ROWS = 15
# Countries beyond this many (by revenue) are grouped in the treemap.
TREEMAP_COUNTRIES = 12
TOP_PRODUCTS = 15
# A metric is drawn on a log scale when its skewness exceeds this.
SKEWED = 1.0

METRIC_NAMES = {"recency_days": "recency", "frequency": "frequency", "monetary": "monetary value"}
RULE_BASED = "rule_based"
# Display names; a method without one is shown by its key.
METHOD_LABELS = {
    RULE_BASED: "Rule-based RFM",
    "kmeans": "K-means",
    "agglomerative": "Agglomerative (Ward)",
    "gmm": "Gaussian mixture",
}
NOT_CLUSTERED = "(not clustered)"
REQUIRED_TABLES = tuple(name for name, spec in SPECS_BY_NAME.items() if spec.required)
# Tables the clustering half must have for its sections to be drawn at all.
CLUSTERING_CORE = ("dim_customer_segments", "rpt_segment_profiles", "rpt_cluster_model_selection")
# Model-selection charts: chart id, metric, title, axis title. A chart draws the methods
# that have the metric (inertia: k-means, BIC: the mixture).
SELECTION_CHARTS = (
    ("elbow", "inertia", "Elbow: within-cluster spread (k-means)", "inertia"),
    ("silhouette", "silhouette", "Silhouette (higher is better)", "silhouette"),
    ("bic", "bic", "BIC of the Gaussian mixture (lower is better)", "BIC"),
)

# What one section step returns: values for the template and figures by chart id.
Section = tuple[dict, dict]


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts with None for missing values (for the template)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict(orient="records")


def _json_list(series: pd.Series, digits: int | None = None) -> list:
    if digits is not None:
        series = series.astype(float).round(digits)
    values = series.astype(object).where(series.notna(), None).tolist()
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _date(value: object) -> object:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


# Inputs ---------------------------------------------------------------------------------


def _check_tables(tables: Mapping[str, pd.DataFrame]) -> None:
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise ReportDataError(f"the report needs the mart(s) {', '.join(missing)}: {RUN_FIRST}")
    for name, frame in tables.items():
        spec = SPECS_BY_NAME.get(name)
        absent = spec.missing_from(list(frame.columns)) if spec else []
        if absent:
            raise ReportDataError(
                f"table {spec.qualified} lacks the column(s) {', '.join(absent)} that the "
                "report reads; rebuild it with `make run`"
            )
    if tables["dim_customers"]["customer_id"].duplicated().any():
        raise ReportDataError("marts.dim_customers has duplicate customer_id values")
    if len(tables["rpt_headline_figures"]) != 1:
        raise ReportDataError("marts.rpt_headline_figures must hold exactly one row")


def cluster_methods(segments: pd.DataFrame) -> list[str]:
    """The clustering methods: one per ``<method>_segment`` column, in the mart's order."""
    columns = SPECS_BY_NAME["dim_customer_segments"].suffixed(list(segments.columns))
    return [column.removesuffix(SEGMENT_SUFFIX) for column in columns]


def _segment_labels(customers: pd.DataFrame, profiles: pd.DataFrame) -> dict:
    """Display label of every rule-based segment: the seed's, else a readable name."""
    labels = {s: default_segment_label(s) for s in customers["rfm_segment"].dropna().unique()}
    for segment, label in zip(profiles["rfm_segment"], profiles["segment_label"], strict=True):
        if isinstance(label, str) and label:
            labels[segment] = label
    return labels


def _customers(
    tables: Mapping[str, pd.DataFrame], labels: dict, methods: list[str]
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """One row per customer with its segment per method, and the (column, label) methods."""
    customers = tables["dim_customers"].copy()
    customers["rule_based_label"] = customers["rfm_segment"].map(labels)
    columns = [("rule_based_label", METHOD_LABELS[RULE_BASED])]
    if methods:
        segment_columns = [f"{method}{SEGMENT_SUFFIX}" for method in methods]
        segments = tables["dim_customer_segments"]
        customers = customers.merge(
            segments[["customer_id", *segment_columns, "gmm_probability"]],
            on="customer_id",
            how="left",
            validate="1:1",
        )
        customers[segment_columns] = customers[segment_columns].fillna(NOT_CLUSTERED)
        for column, method in zip(segment_columns, methods, strict=True):
            columns.append((column, METHOD_LABELS.get(method, method)))
    return customers, columns


# Headline and data quality ----------------------------------------------------------------


def _headline(headline: pd.DataFrame) -> dict:
    row = _records(headline)[0]
    for column in ("first_invoice_date", "last_invoice_date"):
        row[column] = _date(row.get(column))
    return row


def _audit(audit: pd.DataFrame) -> pd.DataFrame:
    frame = audit.copy()
    total = frame["row_count"].sum()
    if frame["row_share"].isna().all() and total:
        frame["row_share"] = frame["row_count"] / total
    frame["label"] = frame["outcome"].astype(str).str.replace("_", " ")
    frame["is_kept"] = ~frame["is_rejected"].astype(bool)
    return frame.sort_values(["is_kept", "row_count"], ascending=[False, False])


def _overview(headline: dict, audit: pd.DataFrame) -> Section:
    audit = _audit(audit)
    values = {"headline": headline, "audit": _records(audit)}
    return values, {"audit_rejections": charts.audit_rejections(audit[~audit["is_kept"]])}


# Trends by month --------------------------------------------------------------------------


def _monthly(monthly: pd.DataFrame, last_invoice_date) -> pd.DataFrame:
    frame = monthly.sort_values("month_start_date").copy()
    frame["month_start_date"] = pd.to_datetime(frame["month_start_date"])
    for column in ("returns_amount", "return_lines"):
        frame[column] = pd.to_numeric(frame[column]).fillna(0)
    frame["is_partial"] = False
    if last_invoice_date is not None and len(frame):
        last = pd.Timestamp(last_invoice_date)
        if last < last + pd.offsets.MonthEnd(0):
            is_last_month = frame["month_start_date"] == last.to_period("M").start_time
            frame.loc[is_last_month, "is_partial"] = True
    return frame


def _trends(monthly: pd.DataFrame, last_invoice_date) -> Section:
    monthly = _monthly(monthly, last_invoice_date)
    partial = monthly.loc[monthly["is_partial"], "month_start_date"]
    figures = {
        "revenue_by_month": charts.revenue_by_month(monthly),
        "customers_by_month": charts.customers_by_month(monthly),
        "returns_by_month": charts.returns_by_month(monthly),
    }
    return {"monthly_partial": [d.strftime("%B %Y") for d in partial]}, figures


# Recency, frequency, monetary -------------------------------------------------------------


def _metrics(customers: pd.DataFrame) -> dict[str, pd.Series]:
    return {name: customers[name].astype(float) for name in METRIC_NAMES}


def _log_metrics(metrics: Mapping[str, pd.Series]) -> set[str]:
    """Metrics skewed enough (and positive) to be shown on a log scale."""
    chosen = set()
    for name, values in metrics.items():
        values = values.dropna().astype(float)
        if len(values) > 2 and (values > 0).mean() > 0.99 and values.skew() > SKEWED:
            chosen.add(name)
    return chosen


def _distributions(metrics: dict[str, pd.Series], log_metrics: set[str]) -> Section:
    figures = {
        "distributions": charts.distributions(metrics, log_metrics),
        "box_plots": charts.box_plots(metrics, log_metrics),
    }
    return {"log_metrics": [METRIC_NAMES[m] for m in metrics if m in log_metrics]}, figures


# Where revenue comes from -----------------------------------------------------------------


def _treemap_frame(revenue: pd.DataFrame) -> pd.DataFrame:
    """Revenue by country group and segment: the largest countries, the rest as one group."""
    frame = revenue.copy()
    frame["rfm_segment"] = frame["rfm_segment"].fillna("unsegmented")
    is_top = frame["country_revenue_rank"] <= TREEMAP_COUNTRIES
    others = frame.loc[~is_top, "country"].nunique()
    frame["country_group"] = frame["country"].where(is_top, f"Other countries ({others})")
    grouped = (
        frame.groupby(["country_group", "rfm_segment"])["revenue"]
        .sum()
        .rename("revenue")
        .reset_index()
    )
    order = grouped.groupby("country_group")["revenue"].sum().sort_values(ascending=False)
    grouped["country_rank"] = grouped["country_group"].map(
        {c: i for i, c in enumerate(order.index)}
    )
    grouped = grouped[grouped["revenue"] > 0]
    return grouped.sort_values(["country_rank", "revenue"], ascending=[True, False])


def _top_products(products: pd.DataFrame) -> pd.DataFrame:
    top = products[products["revenue_rank"] <= TOP_PRODUCTS].sort_values("revenue_rank")
    top = top.reset_index(drop=True)
    top["label"] = (
        top["description"].fillna("(no description)").astype(str).str.slice(0, 40)
        + " ["
        + top["stock_code"].astype(str)
        + "]"
    )
    return top


def _revenue_map(tables: Mapping[str, pd.DataFrame], labels: dict) -> Section:
    treemap = _treemap_frame(tables["rpt_country_segment_revenue"])
    figures = {
        "revenue_treemap": charts.revenue_treemap(treemap, labels),
        "top_products": charts.top_products(_top_products(tables["rpt_product_revenue"])),
    }
    return {"treemap_countries": TREEMAP_COUNTRIES}, figures


# The RFM score grid -----------------------------------------------------------------------


def _grid_cells(customers: pd.DataFrame) -> pd.DataFrame:
    counts = (
        customers.groupby(["r_score", "f_score", "rfm_segment"]).size().rename("n").reset_index()
    )
    totals = counts.groupby(["r_score", "f_score"])["n"].transform("sum")
    counts["majority_share"] = counts["n"] / totals
    counts["customers"] = totals
    majority = counts.sort_values(["n", "rfm_segment"], ascending=[False, True])
    return majority.drop_duplicates(["r_score", "f_score"]).reset_index(drop=True)


def _band(low: float, high: float) -> str:
    if pd.isna(low) and pd.isna(high):
        return "all"
    if pd.isna(low):
        return f"≤ {high:,.2f}"
    if pd.isna(high):
        return f"> {low:,.2f}"
    return f"> {low:,.2f} and ≤ {high:,.2f}"


def _thresholds(thresholds: pd.DataFrame | None) -> list[dict]:
    if thresholds is None or thresholds.empty:
        return []
    rows = []
    for metric, group in thresholds.groupby("metric", sort=False):
        for row in group.sort_values("score").itertuples(index=False):
            rows.append(
                {
                    "metric": metric,
                    "score": int(row.score),
                    "band": _band(row.lower_bound_exclusive, row.upper_bound_inclusive),
                    "customers": row.customers,
                }
            )
    return rows


def _rfm_grid(customers: pd.DataFrame, labels: dict, thresholds: pd.DataFrame | None) -> Section:
    figures = {"rfm_grid": charts.rfm_grid(_grid_cells(customers), labels)}
    return {"thresholds": _thresholds(thresholds)}, figures


# Customers in RFM space -------------------------------------------------------------------


def _highest_spenders(customers: pd.DataFrame, limit: int) -> pd.DataFrame:
    ordered = customers.sort_values(["monetary", "customer_id"], ascending=[False, True])
    return ordered.head(limit)


def _rfm_space(
    customers: pd.DataFrame, methods: list[tuple[str, str]], log_metrics: set[str], limit: int
) -> Section:
    shown = _highest_spenders(customers, limit)
    return {}, {"rfm_scatter_3d": charts.rfm_scatter_3d(shown, methods, log_metrics)}


# Choosing the number of segments ----------------------------------------------------------


def _linkage(tree: pd.DataFrame) -> np.ndarray | None:
    """The scipy linkage matrix of the merge tree, or None when it is not a valid one."""
    ordered = tree.sort_values("merge_step")
    matrix = ordered[["left_node_id", "right_node_id", "merge_distance", "cluster_size"]]
    linkage = matrix.to_numpy(dtype=float)
    if len(linkage) < 1 or not hierarchy.is_valid_linkage(linkage):
        return None
    return linkage


def _used_k(selection: pd.DataFrame, method: str) -> int | None:
    rows = selection[(selection["method"] == method) & selection["is_used"]]
    return int(rows["k"].iloc[0]) if len(rows) else None


def _dendrogram(tree: pd.DataFrame | None, k: int | None) -> Section:
    linkage = _linkage(tree) if tree is not None else None
    if linkage is None:
        problem = "is missing" if tree is None else "is not a valid linkage matrix"
        return {"dendrogram_note": f"marts.fct_agglomerative_merge_tree {problem}"}, {}
    values = {"dendrogram_note": None, "dendrogram_leaves": len(linkage) + 1}
    return values, {"dendrogram": charts.dendrogram(linkage, k)}


def _choosing_k(tables: Mapping[str, pd.DataFrame], methods: list[str]) -> Section:
    selection = tables["rpt_cluster_model_selection"].copy()
    for flag in ("is_used", "is_recommended"):
        selection[flag] = selection[flag].astype("boolean").fillna(False).astype(bool)
    figures = {
        chart_id: charts.model_selection(
            selection.dropna(subset=[metric]), metric, title, axis_title, METHOD_LABELS
        )
        for chart_id, metric, title, axis_title in SELECTION_CHARTS
    }
    used_k = {method: _used_k(selection, method) for method in methods}
    tree = tables.get("fct_agglomerative_merge_tree")
    values, tree_figures = _dendrogram(tree, used_k.get("agglomerative"))
    return {"used_k": used_k, **values}, {**figures, **tree_figures}


# Segment profiles -------------------------------------------------------------------------


def _rule_based_profiles(profiles: pd.DataFrame, labels: dict) -> pd.DataFrame:
    frame = profiles.sort_values("revenue_rank").rename(columns={"rfm_segment": "segment"})
    frame["method"] = RULE_BASED
    frame["segment_label"] = frame["segment"].map(labels)
    return frame.reset_index(drop=True)


def _cluster_profiles(profiles: pd.DataFrame, methods: list[str]) -> pd.DataFrame:
    frame = profiles.copy()
    frame["segment_label"] = frame["segment"].astype(str)
    order = ["segment_rank", "segment"] if frame["segment_rank"].notna().all() else ["segment"]
    frame = frame.sort_values(["method", *order])
    method_order = {method: i for i, method in enumerate(methods)}
    return frame.sort_values(
        "method", key=lambda m: m.map(method_order).fillna(len(method_order)), kind="stable"
    )


def _profiles(
    rule_based: pd.DataFrame, clustered: pd.DataFrame | None, methods: list[str]
) -> Section:
    """Profiles of the rule-based segments, then of each clustering method's."""
    profiles = rule_based
    if clustered is not None:
        clustered = _cluster_profiles(clustered, methods)
        profiles = pd.concat([rule_based, clustered], ignore_index=True)
    tables = [
        {
            "method": method,
            "label": METHOD_LABELS.get(method, method),
            "rows": [{**row, "color": segment_color(row["segment"])} for row in _records(group)],
        }
        for method, group in profiles.groupby("method", sort=False)
    ]
    figures = {"profiles": charts.profile_comparison(profiles, METHOD_LABELS)}
    return {"profile_tables": tables}, figures


# Comparing the methods and mixture uncertainty --------------------------------------------


def _comparison(tables: Mapping[str, pd.DataFrame]) -> Section:
    figures = {}
    crosstab = tables.get("rpt_segmentation_method_crosstab")
    if crosstab is not None and len(crosstab):
        figures["crosstab"] = charts.crosstab_heatmaps(crosstab, METHOD_LABELS)
    agreement = tables.get("rpt_segmentation_method_agreement")
    return {"agreement": [] if agreement is None else _records(agreement)}, figures


def _runner_up_rows(shown: pd.DataFrame, probabilities: pd.DataFrame) -> list[dict]:
    """For each shown customer, the assigned segment and the next most likely one."""
    ranked = probabilities[probabilities["customer_id"].isin(shown["customer_id"])]
    ranked = ranked.sort_values(["customer_id", "probability"], ascending=[True, False])
    rows = []
    for row in shown.itertuples(index=False):
        options = ranked[ranked["customer_id"] == row.customer_id].head(2)
        second = options.iloc[1] if len(options) > 1 else None
        rows.append(
            {
                "customer_id": row.customer_id,
                "segment": row.gmm_segment,
                "probability": row.gmm_probability,
                "runner_up": None if second is None else second["gmm_segment"],
                "runner_up_probability": None if second is None else second["probability"],
            }
        )
    return rows


def _ambiguous(
    segments: pd.DataFrame, probabilities: pd.DataFrame | None, threshold: float
) -> dict:
    probability = segments["gmm_probability"].astype(float)
    ambiguous = segments[probability < threshold].sort_values("gmm_probability")
    rows = []
    if probabilities is not None and len(ambiguous):
        rows = _runner_up_rows(ambiguous.head(AMBIGUOUS_ROWS), probabilities)
    by_segment = (
        segments.assign(is_ambiguous=probability < threshold)
        .groupby("gmm_segment")["is_ambiguous"]
        .agg(["sum", "size"])
        .reset_index()
        .rename(columns={"gmm_segment": "segment", "sum": "ambiguous", "size": "customers"})
    )
    return {
        "threshold": threshold,
        "count": len(ambiguous),
        "share": len(ambiguous) / len(segments) if len(segments) else None,
        "median_probability": float(probability.median()) if len(probability) else None,
        "rows": rows,
        "by_segment": _records(by_segment),
    }


def _uncertainty(tables: Mapping[str, pd.DataFrame], threshold: float) -> Section:
    segments = tables["dim_customer_segments"]
    probabilities = tables.get("fct_customer_segment_probabilities")
    figures = {
        "gmm_probability": charts.probability_histogram(
            segments["gmm_probability"].astype(float), threshold
        )
    }
    return {"ambiguous": _ambiguous(segments, probabilities, threshold)}, figures


# Playbook and explorer --------------------------------------------------------------------


def _playbook(profile: pd.DataFrame) -> Section:
    cards = [{**row, "color": segment_color(row["segment"])} for row in _records(profile)]
    texts = profile[["description", "marketing_action"]]
    return {"playbook": cards, "has_playbook_text": bool(texts.notna().any().any())}, {}


def _explorer(customers: pd.DataFrame, methods: list[tuple[str, str]], limit: int) -> Section:
    """Columnar data of the customer explorer: the ``limit`` highest spenders at most."""
    embedded = _highest_spenders(customers, limit)
    columns = {
        "customer_id": _json_list(embedded["customer_id"].astype(str)),
        "country": _json_list(embedded["country"]),
        "recency_days": _json_list(embedded["recency_days"]),
        "frequency": _json_list(embedded["frequency"]),
        "monetary": _json_list(embedded["monetary"], 2),
        "gmm_probability": _json_list(embedded["gmm_probability"], 3)
        if "gmm_probability" in embedded
        else None,
    }
    segments = {key: embedded[key].dropna().unique() for key, _label in methods}
    explorer = {
        "columns": columns,
        "segments": {key: _json_list(embedded[key]) for key, _label in methods},
        "methods": [
            {"key": key, "label": label, "segments": sorted(str(s) for s in segments[key])}
            for key, label in methods
        ],
        "colors": {str(s): segment_color(s) for names in segments.values() for s in names},
        "history": history.explorer_history(embedded),
        "predictions": value.explorer_predictions(embedded),
        "embedded": len(embedded),
        "total": len(customers),
        "limit": limit,
        "left_out": len(customers) - len(embedded),
        "smallest_embedded_monetary": float(embedded["monetary"].min()) if len(embedded) else None,
    }
    return {"explorer": explorer}, {}


# The page ---------------------------------------------------------------------------------


def build_context(
    tables: Mapping[str, pd.DataFrame],
    max_explorer_customers: int = DEFAULT_MAX_EXPLORER_CUSTOMERS,
    ambiguous_below: float = DEFAULT_AMBIGUOUS_BELOW,
    generated_at: datetime | None = None,
) -> dict:
    """Everything the template needs, from the marts keyed by table name.

    The marts of ``data.TABLE_SPECS`` that are not clustering marts are required. Without
    the clustering marts the context says which are missing and the clustering sections are
    replaced by a note.
    """
    if max_explorer_customers < 1:
        raise ValueError(f"max_explorer_customers must be at least 1, got {max_explorer_customers}")
    _check_tables(tables)
    missing_clustering = [name for name in CLUSTERING_CORE if name not in tables]
    clustering = not missing_clustering
    methods = cluster_methods(tables["dim_customer_segments"]) if clustering else []
    labels = _segment_labels(tables["dim_customers"], tables["rpt_rfm_segment_profiles"])
    customers, method_columns = _customers(tables, labels, methods)
    customers = history.with_previous_segments(
        customers, tables.get("dim_customer_segments"), labels
    )
    customers = value.with_predictions(customers, tables.get("dim_customer_predictions"))
    metrics = _metrics(customers)
    log_metrics = _log_metrics(metrics)
    headline = _headline(tables["rpt_headline_figures"])
    rule_based = _rule_based_profiles(tables["rpt_rfm_segment_profiles"], labels)
    clustered = tables["rpt_segment_profiles"] if clustering else None

    sections = [
        _overview(headline, tables["rpt_transaction_audit"]),
        _trends(tables["rpt_monthly_revenue"], headline["last_invoice_date"]),
        _distributions(metrics, log_metrics),
        _revenue_map(tables, labels),
        _rfm_grid(customers, labels, tables.get("rpt_rfm_score_thresholds")),
        _rfm_space(customers, method_columns, log_metrics, max_explorer_customers),
        *([_choosing_k(tables, methods)] if clustering else []),
        _profiles(rule_based, clustered, methods),
        *([_comparison(tables), _uncertainty(tables, ambiguous_below)] if clustering else []),
        history.section(tables, labels, methods, METHOD_LABELS),
        value.section(
            tables,
            customers,
            list(rule_based["segment_label"]),
            [RULE_BASED, *methods],
            METHOD_LABELS,
        ),
        _playbook(rule_based),
        _explorer(customers, method_columns, max_explorer_customers),
    ]
    context: dict = {
        "generated_at": (generated_at or datetime.now()).strftime("%Y-%m-%d %H:%M"),
        "clustering_available": clustering,
        "clustering_missing": missing_clustering,
        "method_labels": METHOD_LABELS,
        "figures": {},
    }
    for values, figures in sections:
        context.update(values)
        context["figures"].update(figures)
    return context
