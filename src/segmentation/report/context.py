"""Turn the marts into everything the report template shows: figures, tables and figures.

``build_context`` is pure (frames in, a dict out) so it is tested on small hand-made frames
without DuckDB. Figures stay ``plotly`` objects here; ``render`` serialises them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy

from segmentation.report import charts
from segmentation.report.colors import default_segment_label, segment_color
from segmentation.report.data import RUN_FIRST, SPECS_BY_NAME, ReportDataError

# 20,000 customers are about 2.5 MB of JSON in the page and still filter instantly; the
# Online Retail file has 4,338 customers and Online Retail II about 5,900, so both fit whole.
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
METHOD_LABELS = {
    RULE_BASED: "Rule-based RFM",
    "kmeans": "K-means",
    "agglomerative": "Agglomerative (Ward)",
    "gmm": "Gaussian mixture",
}
CLUSTER_METHODS = ("kmeans", "agglomerative", "gmm")
REQUIRED_TABLES = tuple(name for name, spec in SPECS_BY_NAME.items() if spec.required)
CLUSTERING_TABLES = tuple(name for name, spec in SPECS_BY_NAME.items() if spec.clustering)
# Tables the clustering half must have for its sections to be drawn at all.
CLUSTERING_CORE = ("dim_customer_segments", "rpt_segment_profiles", "rpt_cluster_model_selection")


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts with None for missing values (for the template)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict(orient="records")


def _json_list(series: pd.Series, digits: int | None = None) -> list:
    if digits is not None:
        series = series.astype(float).round(digits)
    values = series.astype(object).where(series.notna(), None).tolist()
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _check_tables(tables: Mapping[str, pd.DataFrame]) -> None:
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise ReportDataError(f"the report needs the mart(s) {', '.join(missing)}: {RUN_FIRST}")
    for name, frame in tables.items():
        spec = SPECS_BY_NAME.get(name)
        if spec is None:
            continue
        absent = [c for c in spec.columns if c not in frame.columns]
        if absent:
            raise ReportDataError(
                f"table {spec.qualified} lacks the column(s) {', '.join(absent)} that the "
                "report reads; rebuild it with `make run`"
            )


def _segment_labels(tables: Mapping[str, pd.DataFrame], customers: pd.DataFrame) -> dict:
    labels = {s: default_segment_label(s) for s in customers["rfm_segment"].dropna().unique()}
    seed = tables.get("rfm_segments")
    if seed is not None and "segment_label" in seed.columns:
        for row in seed.itertuples(index=False):
            if isinstance(row.segment_label, str) and row.segment_label:
                labels[row.rfm_segment] = row.segment_label
    return labels


def _headline(lines: pd.DataFrame, customers: pd.DataFrame, audit: pd.DataFrame) -> dict:
    revenue = float(lines["line_amount"].sum())
    orders = int(lines["invoice_id"].nunique())
    raw_rows = int(audit["row_count"].sum())
    kept_rows = int(audit.loc[audit["outcome"] == "valid", "row_count"].sum())
    first, last = lines["invoiced_at"].min(), lines["invoiced_at"].max()
    return {
        "customers": len(customers),
        "revenue": revenue,
        "orders": orders,
        "average_order_value": revenue / orders if orders else None,
        "countries": int(lines["country"].nunique()),
        "products": int(lines["stock_code"].nunique()),
        "invoice_lines": len(lines),
        "first_invoiced_at": None if pd.isna(first) else pd.Timestamp(first).date(),
        "last_invoiced_at": None if pd.isna(last) else pd.Timestamp(last).date(),
        "raw_rows": raw_rows,
        "kept_rows": kept_rows,
        "rejected_rows": raw_rows - kept_rows,
        "kept_share": kept_rows / raw_rows if raw_rows else None,
    }


def _audit(audit: pd.DataFrame) -> pd.DataFrame:
    frame = audit.copy()
    total = frame["row_count"].sum()
    if frame["row_share"].isna().all() and total:
        frame["row_share"] = frame["row_count"] / total
    frame["label"] = frame["outcome"].astype(str).str.replace("_", " ")
    frame["is_kept"] = frame["outcome"] == "valid"
    return frame.sort_values(["is_kept", "row_count"], ascending=[False, False])


def _monthly(monthly: pd.DataFrame, last_invoiced_at) -> pd.DataFrame:
    frame = monthly.sort_values("month_start_date").copy()
    frame["month_start_date"] = pd.to_datetime(frame["month_start_date"])
    for column in ("returns_amount", "return_lines"):
        frame[column] = pd.to_numeric(frame[column]).fillna(0)
    frame["is_partial"] = False
    if last_invoiced_at is not None and len(frame):
        last = pd.Timestamp(last_invoiced_at)
        month_end = (last + pd.offsets.MonthEnd(0)).normalize()
        if last.normalize() < month_end:
            frame.loc[frame["month_start_date"] == last.to_period("M").start_time, "is_partial"] = (
                True
            )
    return frame


def _log_metrics(metrics: Mapping[str, pd.Series]) -> set[str]:
    """Metrics skewed enough (and positive) to be shown on a log scale."""
    chosen = set()
    for name, values in metrics.items():
        values = values.dropna().astype(float)
        if len(values) > 2 and (values > 0).mean() > 0.99 and values.skew() > SKEWED:
            chosen.add(name)
    return chosen


def _treemap_frame(lines: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    revenue = lines.merge(
        customers[["customer_id", "rfm_segment"]], on="customer_id", how="left", validate="m:1"
    )
    revenue["rfm_segment"] = revenue["rfm_segment"].fillna("unsegmented")
    by_country = revenue.groupby("country")["line_amount"].sum().sort_values(ascending=False)
    top = set(by_country.index[:TREEMAP_COUNTRIES])
    others = len(by_country) - len(top)
    revenue["country_group"] = revenue["country"].where(
        revenue["country"].isin(top), f"Other countries ({others})"
    )
    grouped = (
        revenue.groupby(["country_group", "rfm_segment"])["line_amount"]
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


def _top_products(lines: pd.DataFrame) -> pd.DataFrame:
    products = (
        lines.groupby("stock_code")
        .agg(revenue=("line_amount", "sum"), description=("description", "first"))
        .sort_values("revenue", ascending=False)
        .head(TOP_PRODUCTS)
        .reset_index()
    )
    products["label"] = (
        products["description"].fillna("(no description)").astype(str).str.slice(0, 40)
        + " ["
        + products["stock_code"].astype(str)
        + "]"
    )
    return products


def _grid_cells(customers: pd.DataFrame) -> pd.DataFrame:
    counts = (
        customers.groupby(["r_score", "f_score", "rfm_segment"]).size().rename("n").reset_index()
    )
    totals = counts.groupby(["r_score", "f_score"])["n"].transform("sum")
    counts["majority_share"] = counts["n"] / totals
    counts["customers"] = totals
    majority = counts.sort_values(["n", "rfm_segment"], ascending=[False, True])
    return majority.drop_duplicates(["r_score", "f_score"]).reset_index(drop=True)


def _thresholds(thresholds: pd.DataFrame | None) -> list[dict]:
    if thresholds is None or thresholds.empty:
        return []
    rows = []
    for metric, group in thresholds.groupby("metric", sort=False):
        for row in group.sort_values("score").itertuples(index=False):
            low, high = row.lower_bound_exclusive, row.upper_bound_inclusive
            if pd.isna(low) and pd.isna(high):
                band = "all"
            elif pd.isna(low):
                band = f"≤ {high:,.2f}"
            elif pd.isna(high):
                band = f"> {low:,.2f}"
            else:
                band = f"> {low:,.2f} and ≤ {high:,.2f}"
            rows.append(
                {
                    "metric": metric,
                    "score": int(row.score),
                    "band": band,
                    "customers": row.customers,
                }
            )
    return rows


def _rule_based_profiles(customers: pd.DataFrame, labels: dict) -> pd.DataFrame:
    total_customers = len(customers)
    total_revenue = customers["monetary"].sum()
    profile = (
        customers.groupby("rfm_segment")
        .agg(
            customers=("customer_id", "size"),
            median_recency_days=("recency_days", "median"),
            median_frequency=("frequency", "median"),
            median_monetary=("monetary", "median"),
            revenue=("monetary", "sum"),
        )
        .reset_index()
        .rename(columns={"rfm_segment": "segment"})
    )
    profile["customer_share"] = profile["customers"] / total_customers if total_customers else None
    profile["revenue_share"] = profile["revenue"] / total_revenue if total_revenue else None
    profile["method"] = RULE_BASED
    profile["segment_label"] = profile["segment"].map(labels)
    return profile.sort_values("revenue", ascending=False)


def _playbook(profile: pd.DataFrame, seed: pd.DataFrame | None) -> list[dict]:
    seed_rows = {}
    if seed is not None:
        for row in _records(seed):
            seed_rows[row["rfm_segment"]] = row
    cards = []
    for row in _records(profile):
        extra = seed_rows.get(row["segment"], {})
        cards.append(
            {
                **row,
                "color": segment_color(row["segment"]),
                "description": extra.get("description"),
                "marketing_action": extra.get("marketing_action"),
            }
        )
    return cards


def _linkage(tree: pd.DataFrame) -> np.ndarray | None:
    """The scipy linkage matrix of the merge tree, or None when it is not a valid one."""
    ordered = tree.sort_values("merge_step")
    matrix = ordered[["left_node_id", "right_node_id", "merge_distance", "cluster_size"]]
    linkage = matrix.to_numpy(dtype=float)
    if len(linkage) < 1 or not hierarchy.is_valid_linkage(linkage):
        return None
    return linkage


def _used_k(selection: pd.DataFrame, method: str) -> int | None:
    rows = selection[(selection["method"] == method) & selection["is_used"].fillna(False)]
    return int(rows["k"].iloc[0]) if len(rows) else None


def _ambiguous(
    segments: pd.DataFrame, probabilities: pd.DataFrame | None, threshold: float
) -> dict:
    probability = segments["gmm_probability"].astype(float)
    ambiguous = segments[probability < threshold].sort_values("gmm_probability")
    rows = []
    if probabilities is not None and len(ambiguous):
        shown = ambiguous.head(AMBIGUOUS_ROWS)
        ranked = probabilities[probabilities["customer_id"].isin(shown["customer_id"])]
        ranked = ranked.sort_values(["customer_id", "probability"], ascending=[True, False])
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


def _explorer(customers: pd.DataFrame, methods: list[tuple[str, str]], limit: int) -> dict:
    """Columnar data of the customer explorer: the ``limit`` highest spenders at most."""
    ordered = customers.sort_values(["monetary", "customer_id"], ascending=[False, True])
    embedded = ordered.head(limit)
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
    segments = {key: _json_list(embedded[key]) for key, _label in methods}
    colors = {}
    for key, _label in methods:
        for name in embedded[key].dropna().unique():
            colors[str(name)] = segment_color(name)
    return {
        "columns": columns,
        "segments": segments,
        "methods": [
            {
                "key": key,
                "label": label,
                "segments": sorted(str(s) for s in embedded[key].dropna().unique()),
            }
            for key, label in methods
        ],
        "colors": colors,
        "embedded": len(embedded),
        "total": len(customers),
        "limit": limit,
        "left_out": len(customers) - len(embedded),
        "smallest_embedded_monetary": float(embedded["monetary"].min()) if len(embedded) else None,
    }


def build_context(
    tables: Mapping[str, pd.DataFrame],
    max_explorer_customers: int = DEFAULT_MAX_EXPLORER_CUSTOMERS,
    ambiguous_below: float = DEFAULT_AMBIGUOUS_BELOW,
    generated_at: datetime | None = None,
) -> dict:
    """Everything the template needs, from the marts keyed by table name.

    Required: dim_customers, fct_invoice_lines, rpt_transaction_audit, rpt_monthly_revenue.
    The clustering marts are optional: without them the context says which are missing and
    the clustering sections are replaced by a note.
    """
    if max_explorer_customers < 1:
        raise ValueError(f"max_explorer_customers must be at least 1, got {max_explorer_customers}")
    _check_tables(tables)
    customers = tables["dim_customers"].copy()
    if customers["customer_id"].duplicated().any():
        raise ReportDataError("marts.dim_customers has duplicate customer_id values")
    lines = tables["fct_invoice_lines"]
    labels = _segment_labels(tables, customers)
    customers["rule_based_label"] = customers["rfm_segment"].map(labels)

    missing_clustering = [name for name in CLUSTERING_CORE if name not in tables]
    clustering = not missing_clustering
    methods: list[tuple[str, str]] = [("rule_based_label", METHOD_LABELS[RULE_BASED])]
    if clustering:
        segments = tables["dim_customer_segments"]
        customers = customers.merge(
            segments[
                [
                    "customer_id",
                    "kmeans_segment",
                    "agglomerative_segment",
                    "gmm_segment",
                    "gmm_probability",
                ]
            ],
            on="customer_id",
            how="left",
            validate="1:1",
        )
        for method in CLUSTER_METHODS:
            column = f"{method}_segment"
            customers[column] = customers[column].fillna("(not clustered)")
            methods.append((column, METHOD_LABELS[method]))

    audit = _audit(tables["rpt_transaction_audit"])
    headline = _headline(lines, customers, audit)
    monthly = _monthly(tables["rpt_monthly_revenue"], headline["last_invoiced_at"])
    metrics = {
        "recency_days": customers["recency_days"].astype(float),
        "frequency": customers["frequency"].astype(float),
        "monetary": customers["monetary"].astype(float),
    }
    log_metrics = _log_metrics(metrics)
    figures: dict[str, object] = {
        "audit_rejections": charts.audit_rejections(audit[~audit["is_kept"]]),
        "revenue_by_month": charts.revenue_by_month(monthly),
        "customers_by_month": charts.customers_by_month(monthly),
        "returns_by_month": charts.returns_by_month(monthly),
        "distributions": charts.distributions(metrics, log_metrics),
        "box_plots": charts.box_plots(metrics, log_metrics),
        "revenue_treemap": charts.revenue_treemap(_treemap_frame(lines, customers), labels),
        "top_products": charts.top_products(_top_products(lines)),
        "rfm_grid": charts.rfm_grid(_grid_cells(customers), labels),
    }
    scatter_customers = customers.sort_values(
        ["monetary", "customer_id"], ascending=[False, True]
    ).head(max_explorer_customers)
    figures["rfm_scatter_3d"] = charts.rfm_scatter_3d(scatter_customers, methods, log_metrics)

    profile_rule = _rule_based_profiles(customers, labels)
    context: dict = {
        "generated_at": (generated_at or datetime.now()).strftime("%Y-%m-%d %H:%M"),
        "headline": headline,
        "audit": _records(audit),
        "monthly_partial": [
            d.strftime("%B %Y") for d in monthly.loc[monthly["is_partial"], "month_start_date"]
        ],
        "log_metrics": [METRIC_NAMES[m] for m in metrics if m in log_metrics],
        "skew": {name: float(values.skew()) for name, values in metrics.items()},
        "thresholds": _thresholds(tables.get("rpt_rfm_score_thresholds")),
        "playbook": _playbook(profile_rule, tables.get("rfm_segments")),
        "has_playbook_text": tables.get("rfm_segments") is not None,
        "clustering_available": clustering,
        "clustering_missing": missing_clustering,
        "method_labels": METHOD_LABELS,
        "treemap_countries": TREEMAP_COUNTRIES,
        "explorer": _explorer(customers, methods, max_explorer_customers),
    }

    profiles = profile_rule
    if clustering:
        cluster_profiles = tables["rpt_segment_profiles"].copy()
        cluster_profiles["segment_label"] = cluster_profiles["segment"].astype(str)
        order = (
            ["segment_rank", "segment"]
            if cluster_profiles["segment_rank"].notna().all()
            else ["segment"]
        )
        cluster_profiles = cluster_profiles.sort_values(["method", *order])
        method_order = {m: i for i, m in enumerate(CLUSTER_METHODS)}
        cluster_profiles = cluster_profiles.sort_values(
            "method", key=lambda m: m.map(method_order).fillna(len(method_order)), kind="stable"
        )
        profiles = pd.concat([profile_rule, cluster_profiles], ignore_index=True)
        selection = tables["rpt_cluster_model_selection"].copy()
        for flag in ("is_used", "is_recommended"):
            selection[flag] = selection[flag].astype("boolean").fillna(False).astype(bool)
        figures["elbow"] = charts.model_selection(
            selection[selection["method"] == "kmeans"],
            "inertia",
            "Elbow: within-cluster spread (k-means)",
            "inertia",
            METHOD_LABELS,
        )
        figures["silhouette"] = charts.model_selection(
            selection, "silhouette", "Silhouette (higher is better)", "silhouette", METHOD_LABELS
        )
        figures["bic"] = charts.model_selection(
            selection[selection["method"] == "gmm"],
            "bic",
            "BIC of the Gaussian mixture (lower is better)",
            "BIC",
            METHOD_LABELS,
        )
        context["used_k"] = {m: _used_k(selection, m) for m in CLUSTER_METHODS}
        tree = tables.get("fct_agglomerative_merge_tree")
        linkage = _linkage(tree) if tree is not None else None
        context["dendrogram_note"] = None
        if linkage is not None:
            figures["dendrogram"] = charts.dendrogram(linkage, context["used_k"]["agglomerative"])
            context["dendrogram_leaves"] = len(linkage) + 1
        else:
            context["dendrogram_note"] = (
                "marts.fct_agglomerative_merge_tree is missing"
                if tree is None
                else "marts.fct_agglomerative_merge_tree is not a valid linkage matrix"
            )
        crosstab = tables.get("rpt_segmentation_method_crosstab")
        if crosstab is not None and len(crosstab):
            figures["crosstab"] = charts.crosstab_heatmaps(crosstab, METHOD_LABELS)
        agreement = tables.get("rpt_segmentation_method_agreement")
        context["agreement"] = [] if agreement is None else _records(agreement)
        segments = tables["dim_customer_segments"]
        figures["gmm_probability"] = charts.probability_histogram(
            segments["gmm_probability"].astype(float), ambiguous_below
        )
        context["ambiguous"] = _ambiguous(
            segments, tables.get("fct_customer_segment_probabilities"), ambiguous_below
        )
    figures["profiles"] = charts.profile_comparison(profiles, METHOD_LABELS)
    profile_tables = []
    for method, group in profiles.groupby("method", sort=False):
        rows = _records(group)
        for row in rows:
            row["color"] = segment_color(row["segment"])
        profile_tables.append(
            {"method": method, "label": METHOD_LABELS.get(method, method), "rows": rows}
        )
    context["profile_tables"] = profile_tables
    context["figures"] = figures
    return context
