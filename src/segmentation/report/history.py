"""The "Segments over time" part of the report, and the explorer's previous segments.

Built from the marts rpt_segment_migration (where customers moved between two as-of dates),
rpt_customer_lifecycle (the monthly revenue bridge) and rpt_cohort_retention, and from the
previous segment and its start date in dim_customers and dim_customer_segments. Pure, as
``context`` is: frames in, template values and plotly figures out. A mart that is missing
(an older warehouse) leaves its charts out and the page says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from segmentation.report.charts import ACCENT, style
from segmentation.report.colors import (
    KNOWN_SEGMENT_COLORS,
    default_segment_label,
    segment_color,
    segment_key,
)

# The migration mart's key of the rule-based segmentation (macro segmentation_methods), the
# same as context.RULE_BASED (a test keeps them equal).
RULE_BASED_METHOD = "rule_based"
# from_segment is null for customers who had not bought before the earlier date.
NEWCOMERS = "(new customers)"
# Period types of the migration mart (macro segment_migration_periods), in menu order.
PERIOD_LABELS = {
    "month": "month on month",
    "quarter": "quarter on quarter",
    "year": "year over year",
}
# The segment whose fate the page states in words.
CHAMPIONS = "champions"
# How many destinations of the slipped champions the page names.
CHAMPION_DESTINATIONS = 3
# The marts of this part; each is optional (an older warehouse lacks them).
MARTS = ("rpt_segment_migration", "rpt_customer_lifecycle", "rpt_cohort_retention")
# Explorer methods with a previous segment: explorer key, previous segment, since when.
EXPLORER_HISTORY = (
    ("rule_based_label", "previous_rfm_segment", "rfm_segment_since"),
    ("kmeans_segment", "previous_kmeans_segment", "kmeans_segment_since"),
)
LIFECYCLE_PARTS = (
    ("new_revenue", "new customers", "#92c5de", 1),
    ("reactivated_revenue", "reactivated customers", "#8073ac", 1),
    ("repeating_revenue_change", "change of repeating customers", ACCENT, 1),
    ("lapsed_revenue", "lapsed customers (their last month)", "#d6604d", -1),
)
LIFECYCLE_CUSTOMERS = (
    ("new_customers", "new", "#92c5de", 1),
    ("reactivated_customers", "reactivated", "#8073ac", 1),
    ("repeating_customers", "repeating", ACCENT, 1),
    ("lapsed_customers", "lapsed", "#d6604d", -1),
)

Section = tuple[dict, dict]


def _day(value: object) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _month(value: object) -> str:
    return pd.Timestamp(value).strftime("%b %Y")


# Segment names ----------------------------------------------------------------------------


def _segment_order(names: list[str], ranks: Mapping[str, float]) -> list[str]:
    """Best segment first: the mart's rank where known, else the palette's order."""
    known = list(KNOWN_SEGMENT_COLORS)

    def key(name: str) -> tuple:
        if name == NEWCOMERS:
            return (2, 0, "")
        if name in ranks:
            return (0, ranks[name], name)
        position = known.index(segment_key(name)) if segment_key(name) in known else len(known)
        return (1, position, name)

    return sorted(set(names), key=key)


def _cluster_ranks(profiles: pd.DataFrame | None) -> dict[str, dict[str, float]]:
    """Segment rank per clustering method and segment name, from rpt_segment_profiles."""
    if profiles is None or "segment_rank" not in profiles or profiles["segment_rank"].isna().any():
        return {}
    ranks: dict[str, dict[str, float]] = {}
    for row in profiles.itertuples(index=False):
        ranks.setdefault(row.method, {})[row.segment] = float(row.segment_rank)
    return ranks


def _rule_based_label(name: object, labels: Mapping[str, str]) -> object:
    """The display label of a rule-based segment (None stays None)."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    return labels.get(name, default_segment_label(name))


def _labelled(migration: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """The migration rows with display names: rule-based labels, newcomers named."""
    frame = migration.copy()
    is_rule_based = frame["method"] == RULE_BASED_METHOD
    for column in ("from_segment", "to_segment"):
        frame[column] = frame[column].where(
            ~is_rule_based, frame[column].map(lambda name: _rule_based_label(name, labels))
        )
    frame["from_segment"] = frame["from_segment"].fillna(NEWCOMERS)
    for column in ("from_as_of_date", "to_as_of_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


# Migration --------------------------------------------------------------------------------


def latest_pairs(migration: pd.DataFrame) -> pd.DataFrame:
    """The rows of the most recent pair of dates of every method and period type."""
    latest = migration.groupby(["method", "period_type"])["to_as_of_date"].transform("max")
    return migration[migration["to_as_of_date"] == latest]


def _menu_order(migration: pd.DataFrame, methods: list[str]) -> list[tuple[str, str]]:
    """(method, period type) of every heat map, methods in report order, periods by length."""
    present = set(zip(migration["method"], migration["period_type"], strict=True))
    ordered_methods = [m for m in methods if any(p[0] == m for p in present)]
    ordered_methods += sorted({m for m, _ in present} - set(ordered_methods))
    periods = [*PERIOD_LABELS, *sorted({p for _, p in present} - set(PERIOD_LABELS))]
    return [(m, p) for m in ordered_methods for p in periods if (m, p) in present]


def migration_heatmaps(
    latest: pd.DataFrame,
    order: list[tuple[str, str]],
    ranks: Mapping[str, Mapping[str, float]],
    method_labels: Mapping[str, str],
) -> go.Figure:
    """From-segment x to-segment heat maps (row shares), one per method and period type,
    with a menu to switch between them."""
    fig = go.Figure()
    buttons = []
    for i, (method, period) in enumerate(order):
        rows = latest[(latest["method"] == method) & (latest["period_type"] == period)]
        method_ranks = ranks.get(method, {})
        sources = _segment_order(list(rows["from_segment"]), method_ranks)
        targets = _segment_order(list(rows["to_segment"]), method_ranks)
        cells = rows.set_index(["from_segment", "to_segment"])
        z = np.full((len(sources), len(targets)), np.nan)
        text = np.full(z.shape, "", dtype=object)
        custom = np.zeros((*z.shape, 2))
        for r, source in enumerate(sources):
            for c, target in enumerate(targets):
                if (source, target) not in cells.index:
                    continue
                cell = cells.loc[(source, target)]
                z[r, c] = float(cell["from_segment_share"])
                text[r, c] = f"{int(cell['customers']):,}"
                custom[r, c] = [float(cell["customers"]), float(cell["revenue"])]
        first = rows.iloc[0]
        dates = f"{_day(first['from_as_of_date'])} \u2192 {_day(first['to_as_of_date'])}"
        label = f"{method_labels.get(method, method)}, {PERIOD_LABELS.get(period, period)}"
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=targets,
                y=sources,
                text=text,
                customdata=custom,
                texttemplate="%{text}",
                colorscale="Blues",
                zmin=0,
                zmax=1,
                visible=i == 0,
                name=f"{label} ({dates})",
                hovertemplate="%{y} \u2192 %{x}<br>%{customdata[0]:,} customers "
                "(%{z:.1%} of %{y})<br>£%{customdata[1]:,.0f} bought in the period"
                "<extra></extra>",
                colorbar={"title": {"text": "share of row"}, "tickformat": ".0%"},
            )
        )
        buttons.append(
            {
                "label": f"{label} ({dates})",
                "method": "update",
                "args": [{"visible": [j == i for j in range(len(order))]}],
            }
        )
    fig.update_xaxes(title="segment at the later date", side="bottom")
    fig.update_yaxes(title="segment at the earlier date", autorange="reversed", automargin=True)
    fig.update_layout(
        updatemenus=[
            {"buttons": buttons, "direction": "down", "x": 0, "y": 1.16, "xanchor": "left"}
        ]
    )
    style(fig, None, height=520)
    fig.update_layout(margin={"t": 80, "l": 180})
    return fig


def segment_sizes(migration: pd.DataFrame) -> pd.DataFrame:
    """Customers per method, as-of date and segment, from the shortest period's pairs.

    Each pair's rows add up to the customers of its later date (and, without the newcomers,
    of its earlier one), so consecutive pairs give the size of every segment at every date.
    """
    periods = [p for p in PERIOD_LABELS if p in set(migration["period_type"])]
    if not periods:
        return pd.DataFrame(columns=["method", "as_of_date", "segment", "customers"])
    pairs = migration[migration["period_type"] == periods[0]]
    later = pairs.groupby(["method", "to_as_of_date", "to_segment"])["customers"].sum()
    later = later.rename_axis(["method", "as_of_date", "segment"]).reset_index()
    first_date = pairs.groupby("method")["from_as_of_date"].transform("min")
    earliest = pairs[
        (pairs["from_as_of_date"] == first_date) & (pairs["from_segment"] != NEWCOMERS)
    ]
    earlier = earliest.groupby(["method", "from_as_of_date", "from_segment"])["customers"].sum()
    earlier = earlier.rename_axis(["method", "as_of_date", "segment"]).reset_index()
    sizes = pd.concat([earlier, later], ignore_index=True)
    return sizes.sort_values(["method", "as_of_date", "segment"]).reset_index(drop=True)


def segment_sizes_chart(
    sizes: pd.DataFrame,
    methods: list[str],
    ranks: Mapping[str, Mapping[str, float]],
    method_labels: Mapping[str, str],
) -> go.Figure:
    """Stacked customers per segment at every as-of date, a menu to switch method."""
    fig = go.Figure()
    owners: list[str] = []
    for i, method in enumerate(methods):
        group = sizes[sizes["method"] == method]
        for segment in _segment_order(list(group["segment"]), ranks.get(method, {})):
            series = group[group["segment"] == segment]
            fig.add_trace(
                go.Scatter(
                    x=series["as_of_date"],
                    y=series["customers"],
                    name=str(segment),
                    mode="lines",
                    stackgroup=method,
                    line={"color": segment_color(segment), "width": 0.5},
                    visible=i == 0,
                    hovertemplate="%{x|%d %b %Y}: %{y:,} customers<extra>%{fullData.name}</extra>",
                )
            )
            owners.append(method)
    buttons = [
        {
            "label": method_labels.get(method, method),
            "method": "update",
            "args": [{"visible": [owner == method for owner in owners]}],
        }
        for method in methods
    ]
    fig.update_layout(
        updatemenus=[
            {"buttons": buttons, "direction": "down", "x": 0, "y": 1.16, "xanchor": "left"}
        ]
    )
    fig.update_xaxes(title="as-of date")
    fig.update_yaxes(title="customers")
    style(fig, None, height=420)
    fig.update_layout(margin={"t": 70}, legend={"orientation": "v", "x": 1.02, "y": 1})
    return fig


def champions_kept(latest: pd.DataFrame) -> dict | None:
    """What became of the rule-based Champions over the most recent quarter (else month)."""
    rule_based = latest[latest["method"] == RULE_BASED_METHOD]
    for period in ("quarter", "month"):
        rows = rule_based[rule_based["period_type"] == period]
        champions = rows[rows["from_segment"].map(segment_key) == CHAMPIONS]
        if champions.empty:
            continue
        total = int(champions["customers"].sum())
        stayed = int(
            champions.loc[champions["to_segment"].map(segment_key) == CHAMPIONS, "customers"].sum()
        )
        moved = champions[champions["to_segment"].map(segment_key) != CHAMPIONS]
        moved = moved.sort_values(["customers", "to_segment"], ascending=[False, True])
        return {
            "period": PERIOD_LABELS[period],
            "from_date": _day(champions["from_as_of_date"].iloc[0]),
            "to_date": _day(champions["to_as_of_date"].iloc[0]),
            "champions": total,
            "stayed": stayed,
            "stayed_share": stayed / total,
            "destinations": [
                {
                    "segment": row.to_segment,
                    "customers": int(row.customers),
                    "share": row.customers / total,
                }
                for row in moved.head(CHAMPION_DESTINATIONS).itertuples(index=False)
            ],
        }
    return None


# Lifecycle and cohorts --------------------------------------------------------------------


def lifecycle_bridge_chart(lifecycle: pd.DataFrame) -> go.Figure:
    """Each month's revenue change split into its parts, lapsed revenue below zero."""
    fig = go.Figure()
    months = lifecycle["month_start_date"]
    for column, name, color, sign in LIFECYCLE_PARTS:
        fig.add_trace(
            go.Bar(
                x=months,
                y=sign * lifecycle[column],
                name=name,
                marker_color=color,
                hovertemplate="%{x|%b %Y}: £%{y:,.0f}<extra>" + name + "</extra>",
            )
        )
    change = lifecycle["revenue"] - lifecycle["previous_month_revenue"]
    fig.add_trace(
        go.Scatter(
            x=months,
            y=change,
            name="change in revenue",
            mode="markers+lines",
            line={"color": "#1f2933", "dash": "dot"},
            hovertemplate="%{x|%b %Y}: £%{y:,.0f}<extra>change in revenue</extra>",
        )
    )
    fig.update_layout(barmode="relative")
    fig.update_yaxes(title="£ against the month before")
    return style(fig, "Revenue bridge: what changed from the month before", height=420)


def lifecycle_customers_chart(lifecycle: pd.DataFrame) -> go.Figure:
    """Customers per month by lifecycle group, the lapsed below zero."""
    fig = go.Figure()
    for column, name, color, sign in LIFECYCLE_CUSTOMERS:
        fig.add_trace(
            go.Bar(
                x=lifecycle["month_start_date"],
                y=sign * lifecycle[column],
                name=name,
                marker_color=color,
                hovertemplate="%{x|%b %Y}: %{y:,} customers<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(barmode="relative")
    fig.update_yaxes(title="customers")
    return style(fig, "Customers: new, repeating, reactivated and lapsed", height=380)


def cohort_heatmap(cohorts: pd.DataFrame) -> go.Figure:
    """Share of each first-purchase cohort buying in each month since (month 0 = 100%)."""
    frame = cohorts.copy()
    frame["cohort"] = pd.to_datetime(frame["cohort_month_start_date"])
    order = sorted(frame["cohort"].unique())
    sizes = frame.groupby("cohort")["cohort_customers"].max()
    months = sorted(int(m) for m in frame["months_since_first_purchase"].unique())
    z = np.full((len(order), len(months)), np.nan)
    custom = np.zeros((*z.shape, 2))
    for row in frame.itertuples(index=False):
        r, c = order.index(row.cohort), months.index(int(row.months_since_first_purchase))
        z[r, c] = float(row.customer_share)
        custom[r, c] = [float(row.active_customers), float(row.revenue)]
    labels = [f"{_month(c)} ({int(sizes[c]):,})" for c in order]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=months,
            y=labels,
            customdata=custom,
            texttemplate="%{z:.0%}",
            colorscale="Greens",
            zmin=0,
            zmax=1,
            hovertemplate="cohort %{y}, month %{x}: %{customdata[0]:,} customers "
            "(%{z:.1%}), £%{customdata[1]:,.0f}<extra></extra>",
            colorbar={"title": {"text": "still buying"}, "tickformat": ".0%"},
            xgap=1,
            ygap=1,
        )
    )
    fig.update_xaxes(title="months since the first purchase", dtick=1)
    fig.update_yaxes(title="cohort (customers)", autorange="reversed", automargin=True)
    return style(
        fig, "Cohort retention: share of each cohort buying", height=max(360, 28 * len(order) + 140)
    )


def _lifecycle_rows(lifecycle: pd.DataFrame) -> list[dict]:
    rows = []
    for row in lifecycle.itertuples(index=False):
        rows.append(
            {
                "month": _month(row.month_start_date),
                **{
                    column: getattr(row, column)
                    for column in (
                        "previous_month_revenue",
                        "lapsed_revenue",
                        "repeating_revenue_change",
                        "new_revenue",
                        "reactivated_revenue",
                        "revenue",
                        "active_customers",
                        "new_customers",
                        "repeating_customers",
                        "reactivated_customers",
                        "lapsed_customers",
                    )
                },
            }
        )
    return rows


# The section ------------------------------------------------------------------------------


def _pair(latest: pd.DataFrame, method: str, period: str, method_labels: Mapping) -> dict:
    rows = latest[(latest["method"] == method) & (latest["period_type"] == period)]
    return {
        "method": method_labels.get(method, method),
        "period": PERIOD_LABELS.get(period, period),
        "from_date": _day(rows["from_as_of_date"].iloc[0]),
        "to_date": _day(rows["to_as_of_date"].iloc[0]),
    }


def section(
    tables: Mapping[str, pd.DataFrame],
    labels: Mapping[str, str],
    methods: list[str],
    method_labels: Mapping[str, str],
) -> Section:
    """Values and figures of "Segments over time".

    ``methods`` are the clustering methods in report order; ``method_labels`` names every
    method of the migration mart, the rule-based one (``rfm``) included.
    """
    figures: dict[str, go.Figure] = {}
    values: dict = {"missing": [name for name in MARTS if name not in tables]}
    migration = tables.get("rpt_segment_migration")
    values["migration_pairs"] = []
    values["champions_kept"] = None
    if migration is not None and len(migration):
        migration = _labelled(migration, labels)
        latest = latest_pairs(migration)
        ranks = _cluster_ranks(tables.get("rpt_segment_profiles"))
        order = _menu_order(latest, [RULE_BASED_METHOD, *methods])
        figures["segment_migration"] = migration_heatmaps(latest, order, ranks, method_labels)
        values["migration_pairs"] = [
            _pair(latest, method, period, method_labels) for method, period in order
        ]
        values["champions_kept"] = champions_kept(latest)
        sizes = segment_sizes(migration)
        if len(sizes):
            size_methods = list(dict.fromkeys(method for method, _ in order))
            figures["segment_sizes"] = segment_sizes_chart(
                sizes, size_methods, ranks, method_labels
            )
    lifecycle = tables.get("rpt_customer_lifecycle")
    values["lifecycle"] = []
    if lifecycle is not None and len(lifecycle):
        lifecycle = lifecycle.sort_values("month_start_date").reset_index(drop=True)
        lifecycle["month_start_date"] = pd.to_datetime(lifecycle["month_start_date"])
        figures["lifecycle_bridge"] = lifecycle_bridge_chart(lifecycle)
        figures["lifecycle_customers"] = lifecycle_customers_chart(lifecycle)
        values["lifecycle"] = _lifecycle_rows(lifecycle)
    cohorts = tables.get("rpt_cohort_retention")
    values["cohorts"] = 0
    if cohorts is not None and len(cohorts):
        figures["cohort_retention"] = cohort_heatmap(cohorts)
        values["cohorts"] = int(cohorts["cohort_month_start_date"].nunique())
    return {"history": values}, figures


# The explorer -----------------------------------------------------------------------------


def with_previous_segments(
    customers: pd.DataFrame, segments: pd.DataFrame | None, labels: Mapping[str, str]
) -> pd.DataFrame:
    """``customers`` with each explorer method's previous segment and since-when columns.

    The rule-based previous segment gets its display label as the current one does; the
    k-means columns come from dim_customer_segments when it has them.
    """
    frame = customers.copy()
    if "previous_rfm_segment" in frame:
        frame["previous_rfm_segment"] = frame["previous_rfm_segment"].map(
            lambda name: _rule_based_label(name, labels)
        )
    wanted = ["previous_kmeans_segment", "kmeans_segment_since"]
    if segments is not None and set(wanted) <= set(segments.columns) and "kmeans_segment" in frame:
        frame = frame.drop(columns=[c for c in wanted if c in frame])
        frame = frame.merge(
            segments[["customer_id", *wanted]], on="customer_id", how="left", validate="1:1"
        )
    return frame


def explorer_history(embedded: pd.DataFrame) -> dict:
    """Per explorer method key: the previous segment and since when, row by row."""
    history = {}
    for key, previous, since in EXPLORER_HISTORY:
        if key not in embedded or previous not in embedded or since not in embedded:
            continue
        if embedded[since].isna().all():
            continue
        history[key] = {
            "previous": [None if pd.isna(v) else str(v) for v in embedded[previous]],
            "since": [_day(v) for v in embedded[since]],
        }
    return history
