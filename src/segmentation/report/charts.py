"""Plotly figures of the report, each built from a small prepared frame.

Every function returns a ``plotly.graph_objects.Figure`` and knows nothing of the warehouse;
``context.build_context`` prepares the frames. Figures share one look (``style``): the system
font stack (no web font is fetched), white background, the segment colours of ``colors``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from scipy.cluster import hierarchy

from segmentation.report.colors import segment_color

FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", '
    '"Liberation Sans", Arial, sans-serif'
)
ACCENT = "#2f5d8a"
SECOND = "#e07b39"
MUTED = "#9aa5b1"


def style(fig: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    """Apply the report's common layout to a figure."""
    fig.update_layout(
        template="plotly_white",
        title={"text": title, "x": 0.01, "font": {"size": 15}} if title else None,
        font={"family": FONT_STACK, "size": 12, "color": "#1f2933"},
        height=height,
        margin={"l": 60, "r": 24, "t": 48 if title else 20, "b": 48},
        legend={"orientation": "h", "y": -0.18, "x": 0},
        hoverlabel={"font": {"family": FONT_STACK}},
    )
    return fig


def _horizontal_bars(
    frame: pd.DataFrame, value: str, color: str, hovertemplate: str, customdata: str | None = None
) -> go.Figure:
    """One bar of ``value`` per ``label`` row, the largest at the top."""
    frame = frame.sort_values(value)
    bars = go.Bar(
        x=frame[value],
        y=frame["label"],
        orientation="h",
        marker_color=color,
        customdata=frame[customdata] if customdata else None,
        hovertemplate=hovertemplate,
    )
    return go.Figure(bars)


def audit_rejections(audit: pd.DataFrame) -> go.Figure:
    """Rejected raw rows by reason, largest first (``audit`` without the kept rows)."""
    hover = "%{y}: %{x:,} rows (%{customdata:.2%} of raw)<extra></extra>"
    fig = _horizontal_bars(audit, "row_count", SECOND, hover, customdata="row_share")
    fig.update_xaxes(title="raw rows rejected")
    return style(fig, "Rows rejected, by reason", height=max(260, 40 * len(audit) + 100))


def _month_bars(
    monthly: pd.DataFrame, y: pd.Series, name: str, color: str | list[str], hover: str | None = None
) -> go.Bar:
    x = monthly["month_start_date"]
    return go.Bar(x=x, y=y, name=name, marker_color=color, hovertemplate=hover)


def _month_line(
    monthly: pd.DataFrame, y: pd.Series, name: str, line: dict, hover: str | None = None
) -> go.Scatter:
    x = monthly["month_start_date"]
    return go.Scatter(x=x, y=y, name=name, mode="lines+markers", line=line, hovertemplate=hover)


def _bars_and_line(bars: go.Bar, line: go.Scatter) -> go.Figure:
    """Bars on the left axis, a line on a second axis on the right."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(bars, secondary_y=False)
    fig.add_trace(line, secondary_y=True)
    return fig


def revenue_by_month(monthly: pd.DataFrame) -> go.Figure:
    """Revenue bars with the order count on a second axis."""
    colors = [MUTED if p else ACCENT for p in monthly["is_partial"]]
    fig = _bars_and_line(
        _month_bars(
            monthly,
            monthly["revenue"],
            "revenue (£)",
            colors,
            "%{x|%b %Y}: £%{y:,.0f}<extra>revenue</extra>",
        ),
        _month_line(
            monthly,
            monthly["orders"],
            "orders",
            {"color": SECOND},
            "%{x|%b %Y}: %{y:,} orders<extra></extra>",
        ),
    )
    fig.update_yaxes(title_text="revenue (£)", secondary_y=False)
    fig.update_yaxes(
        title_text="orders", secondary_y=True, showgrid=False, tickmode="auto", rangemode="tozero"
    )
    return style(fig, "Revenue and orders by month")


def customers_by_month(monthly: pd.DataFrame) -> go.Figure:
    """Active and first-time customers per month."""
    active = monthly["active_customers"]
    fig = go.Figure(_month_line(monthly, active, "active customers", {"color": ACCENT}))
    fig.add_trace(_month_bars(monthly, monthly["new_customers"], "new customers", "#92c5de"))
    fig.update_yaxes(title="customers")
    return style(fig, "Active and new customers by month")


def returns_by_month(monthly: pd.DataFrame) -> go.Figure:
    """Value of returned goods per month, with its share of that month's revenue."""
    share = monthly["returns_amount"] / monthly["revenue"].where(monthly["revenue"] > 0)
    fig = _bars_and_line(
        _month_bars(
            monthly,
            monthly["returns_amount"],
            "returns (£)",
            "#d6604d",
            "%{x|%b %Y}: £%{y:,.0f} returned<extra></extra>",
        ),
        _month_line(
            monthly,
            share,
            "share of revenue",
            {"color": "#1f2933", "dash": "dot"},
            "%{x|%b %Y}: %{y:.1%} of revenue<extra></extra>",
        ),
    )
    fig.update_yaxes(title_text="returned (£)", secondary_y=False)
    fig.update_yaxes(
        title_text="share of revenue", tickformat=".0%", secondary_y=True, showgrid=False
    )
    return style(fig, "Returns by month")


def _log_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Tick positions (log10) and labels 1, 10, 100, 1k… covering [low, high]."""
    first, last = math.floor(low), math.ceil(high)
    values = list(range(first, last + 1))
    labels = [f"{10**v:,.0f}" if v >= 0 else f"{10**v:g}" for v in values]
    return [float(v) for v in values], labels


def distributions(metrics: dict[str, pd.Series], log_metrics: set[str]) -> go.Figure:
    """One histogram per RFM metric; skewed metrics are binned on a log10 scale."""
    fig = make_subplots(rows=1, cols=len(metrics), subplot_titles=list(metrics))
    for column, (name, values) in enumerate(metrics.items(), start=1):
        values = values.dropna()
        if name in log_metrics:
            shown = np.log10(values[values > 0])
            fig.add_trace(
                go.Histogram(
                    x=shown,
                    nbinsx=40,
                    marker_color=ACCENT,
                    name=name,
                    hovertemplate="log10 bin %{x}: %{y:,} customers<extra></extra>",
                ),
                row=1,
                col=column,
            )
            if len(shown):
                ticks, labels = _log_ticks(float(shown.min()), float(shown.max()))
                fig.update_xaxes(
                    tickvals=ticks, ticktext=labels, title=f"{name} (log scale)", row=1, col=column
                )
        else:
            fig.add_trace(
                go.Histogram(x=values, nbinsx=40, marker_color=ACCENT, name=name),
                row=1,
                col=column,
            )
            fig.update_xaxes(title=name, row=1, col=column)
    fig.update_yaxes(title="customers", row=1, col=1)
    fig.update_layout(showlegend=False, bargap=0.05)
    style(fig, "How recency, frequency and monetary value are spread", height=360)
    fig.update_layout(margin={"t": 80})
    return fig


def box_plots(metrics: dict[str, pd.Series], log_metrics: set[str]) -> go.Figure:
    """Box plots with every outlier drawn, log axes for skewed metrics."""
    fig = make_subplots(rows=1, cols=len(metrics), subplot_titles=list(metrics))
    for column, (name, values) in enumerate(metrics.items(), start=1):
        values = values.dropna()
        if name in log_metrics:
            values = values[values > 0]
        fig.add_trace(
            go.Box(
                y=values,
                name=name,
                boxpoints="outliers",
                marker={"color": SECOND, "size": 3, "opacity": 0.6},
                line={"color": ACCENT},
            ),
            row=1,
            col=column,
        )
        if name in log_metrics:
            fig.update_yaxes(type="log", dtick=1, row=1, col=column)
    fig.update_layout(showlegend=False)
    style(fig, "Box plots: the dots are outliers", height=400)
    fig.update_layout(margin={"t": 80})
    return fig


def revenue_treemap(revenue: pd.DataFrame, segment_labels: dict[str, str]) -> go.Figure:
    """Revenue by country, then by rule-based segment within each country."""
    ids, labels, parents, values, colors = [], [], [], [], []
    for country, group in revenue.groupby("country_group", sort=False):
        ids.append(f"c/{country}")
        labels.append(str(country))
        parents.append("")
        values.append(float(group["revenue"].sum()))
        colors.append("#e4e7eb")
        for segment, amount in zip(group["rfm_segment"], group["revenue"], strict=True):
            ids.append(f"c/{country}/{segment}")
            labels.append(segment_labels.get(segment, str(segment)))
            parents.append(f"c/{country}")
            values.append(float(amount))
            colors.append(segment_color(segment))
    fig = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": colors},
            hovertemplate="%{label}: £%{value:,.0f} (%{percentRoot:.1%} of all revenue)"
            "<extra></extra>",
            texttemplate="%{label}<br>£%{value:,.0f}",
        )
    )
    return style(fig, "Revenue by country and segment", height=520)


def top_products(products: pd.DataFrame) -> go.Figure:
    """The products that bring in most revenue."""
    fig = _horizontal_bars(products, "revenue", ACCENT, "%{y}: £%{x:,.0f}<extra></extra>")
    fig.update_xaxes(title="revenue (£)")
    fig.update_yaxes(automargin=True)
    return style(fig, "Top products by revenue", height=max(300, 24 * len(products) + 100))


def rfm_grid(cells: pd.DataFrame, segment_labels: dict[str, str]) -> go.Figure:
    """The 5 x 5 grid of recency x frequency scores, each cell coloured by its segment."""
    segments = sorted(cells["rfm_segment"].unique())
    index = {segment: i for i, segment in enumerate(segments)}
    z = np.full((5, 5), np.nan)
    text = np.full((5, 5), "", dtype=object)
    hover = np.full((5, 5), "no customers", dtype=object)
    for row in cells.itertuples(index=False):
        f, r = int(row.f_score) - 1, int(row.r_score) - 1
        if not (0 <= f < 5 and 0 <= r < 5):
            continue
        label = segment_labels.get(row.rfm_segment, str(row.rfm_segment))
        z[f, r] = index[row.rfm_segment]
        text[f, r] = f"{label}<br>{int(row.customers):,}"
        hover[f, r] = (
            f"R={r + 1} F={f + 1}: {label}, {int(row.customers):,} customers "
            f"({row.majority_share:.0%} of the cell in this segment)"
        )
    n = max(len(segments), 1)
    colorscale = []
    for segment, i in index.items():
        colorscale.append([i / n, segment_color(segment)])
        colorscale.append([(i + 1) / n, segment_color(segment)])
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"R {score}" for score in range(1, 6)],
            y=[f"F {score}" for score in range(1, 6)],
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=colorscale or [[0, MUTED], [1, MUTED]],
            zmin=0,
            zmax=n - 1e-9 if n > 1 else 1,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    fig.update_xaxes(title="recency score (5 = bought most recently)")
    fig.update_yaxes(title="frequency score (5 = orders most often)")
    return style(fig, "Recency \u00d7 frequency scores and their segment", height=520)


def _rfm_scene(log_axes: set[str]) -> dict:
    """The 3D axes: recency, then frequency and monetary on log scales when skewed."""
    background = {"backgroundcolor": "#f8f9fb"}

    def axis(title: str, metric: str | None = None) -> dict:
        if metric is None:
            return {**background, "title": {"text": title}}
        is_log = metric in log_axes
        return {
            **background,
            "title": {"text": title},
            "type": "log" if is_log else "linear",
            "dtick": 1 if is_log else None,
        }

    return {
        "xaxis": axis("recency (days)"),
        "yaxis": axis("orders", "frequency"),
        "zaxis": axis("monetary (£)", "monetary"),
    }


def _method_menu(methods: list[tuple[str, str]], owners: list[str]) -> dict:
    """A drop-down that shows the traces of one method (``owners``: method key per trace)."""
    buttons = [
        {"label": label, "method": "update", "args": [{"visible": [o == key for o in owners]}]}
        for key, label in methods
    ]
    return {
        "buttons": buttons,
        "direction": "down",
        "x": 0,
        "xanchor": "left",
        "y": 1.12,
        "yanchor": "top",
        "showactive": True,
    }


def rfm_scatter_3d(
    customers: pd.DataFrame,
    methods: list[tuple[str, str]],
    log_axes: set[str],
) -> go.Figure:
    """Customers in RFM space, one trace per segment and method, a menu to switch method.

    ``customers`` has recency_days, frequency, monetary, customer_id and one column per
    method key holding the display label of the segment.
    """
    fig = go.Figure()
    owners: list[str] = []
    for method_index, (key, _label) in enumerate(methods):
        for segment, group in customers.groupby(key, sort=True):
            fig.add_trace(
                go.Scatter3d(
                    x=group["recency_days"],
                    y=group["frequency"],
                    z=group["monetary"],
                    mode="markers",
                    name=str(segment),
                    marker={"size": 2.5, "color": segment_color(segment), "opacity": 0.75},
                    customdata=group["customer_id"],
                    hovertemplate="customer %{customdata}<br>recency %{x} days<br>"
                    "%{y} orders<br>£%{z:,.0f}<extra>%{fullData.name}</extra>",
                    visible=method_index == 0,
                )
            )
            owners.append(key)
    fig.update_layout(scene=_rfm_scene(log_axes), updatemenus=[_method_menu(methods, owners)])
    style(fig, None, height=640)
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 50, "b": 0},
        legend={"orientation": "v", "y": 0.5, "x": 0.98, "itemsizing": "constant"},
        scene_camera={"eye": {"x": 1.5, "y": 1.5, "z": 0.6}},
    )
    return fig


def _mark_used(fig: go.Figure, frame: pd.DataFrame, column: str, color: str) -> None:
    used = frame[frame["is_used"].fillna(False).astype(bool)]
    for row in used.itertuples(index=False):
        fig.add_vline(
            x=row.k, line_dash="dash", line_color=color, opacity=0.6, annotation_text=f"k={row.k}"
        )


def model_selection(
    selection: pd.DataFrame, metric: str, title: str, axis_title: str, method_labels: dict
) -> go.Figure:
    """One line per method of ``metric`` against k; the k in use is starred and lined."""
    fig = go.Figure()
    palette = [ACCENT, SECOND, "#35978f", "#8073ac"]
    for i, (method, group) in enumerate(selection.groupby("method", sort=True)):
        group = group.dropna(subset=[metric]).sort_values("k")
        if group.empty:
            continue
        color = palette[i % len(palette)]
        used = group["is_used"].fillna(False).astype(bool)
        recommended = group["is_recommended"].fillna(False).astype(bool)
        fig.add_trace(
            go.Scatter(
                x=group["k"],
                y=group[metric],
                mode="lines+markers",
                name=method_labels.get(method, method),
                line={"color": color},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=group.loc[used, "k"],
                y=group.loc[used, metric],
                mode="markers",
                marker={"symbol": "star", "size": 16, "color": color, "line": {"width": 1}},
                name=f"{method_labels.get(method, method)}: k in use",
                showlegend=False,
                hovertemplate="k=%{x} in use<extra></extra>",
            )
        )
        if (recommended & ~used).any():
            fig.add_trace(
                go.Scatter(
                    x=group.loc[recommended, "k"],
                    y=group.loc[recommended, metric],
                    mode="markers",
                    marker={"symbol": "circle-open", "size": 16, "color": color},
                    name=f"{method_labels.get(method, method)}: recommended k",
                    showlegend=False,
                    hovertemplate="k=%{x} recommended<extra></extra>",
                )
            )
        _mark_used(fig, group, metric, color)
    fig.update_xaxes(title="number of segments k", dtick=1)
    fig.update_yaxes(title=axis_title)
    style(fig, title, height=360)
    fig.update_layout(legend={"y": -0.3})
    return fig


def dendrogram(linkage: np.ndarray, k: int | None, last_merges: int = 30) -> go.Figure:
    """The top of the Ward merge tree (last ``last_merges`` merges) with the cut for ``k``."""
    tree = hierarchy.dendrogram(
        linkage, truncate_mode="lastp", p=last_merges, no_plot=True, count_sort=True
    )
    xs: list[float | None] = []
    ys: list[float | None] = []
    for icoord, dcoord in zip(tree["icoord"], tree["dcoord"], strict=True):
        xs.extend([*icoord, None])
        ys.extend([*dcoord, None])
    fig = go.Figure(
        go.Scatter(x=xs, y=ys, mode="lines", line={"color": ACCENT, "width": 1.5}, hoverinfo="skip")
    )
    leaves = len(tree["ivl"])
    fig.update_xaxes(
        tickvals=[5 + 10 * i for i in range(leaves)],
        ticktext=tree["ivl"],
        tickangle=-60,
        title="customers under each branch (in brackets: a group of customers)",
        showgrid=False,
    )
    n = linkage.shape[0] + 1
    if k is not None and 1 < k <= n:
        distances = linkage[:, 2]
        cut = (distances[n - k - 1] + distances[n - k]) / 2 if k < n else distances[0] / 2
        fig.add_hline(
            y=float(cut), line_dash="dash", line_color="#b2182b", annotation_text=f"cut: k={k}"
        )
    fig.update_yaxes(title="merge distance (Ward)")
    return style(fig, f"Dendrogram of the agglomerative fit (last {last_merges} merges)", 420)


def profile_comparison(profiles: pd.DataFrame, method_labels: dict) -> go.Figure:
    """Per method, each segment's share of customers against its share of revenue."""
    methods = list(dict.fromkeys(profiles["method"]))
    widths = [max(3, (profiles["method"] == m).sum()) for m in methods]
    fig = make_subplots(
        rows=1,
        cols=len(methods),
        subplot_titles=[method_labels.get(m, m) for m in methods],
        shared_yaxes=True,
        column_widths=[w / sum(widths) for w in widths],
        horizontal_spacing=0.03,
    )
    shown_legend = False
    for column, method in enumerate(methods, start=1):
        group = profiles[profiles["method"] == method]
        for measure, name, pattern in (
            ("customer_share", "share of customers", ""),
            ("revenue_share", "share of revenue", "/"),
        ):
            fig.add_trace(
                go.Bar(
                    x=group["segment_label"],
                    y=group[measure],
                    name=name,
                    legendgroup=name,
                    showlegend=not shown_legend,
                    marker={
                        "color": [segment_color(s) for s in group["segment"]],
                        "line": {"color": "#1f2933", "width": 0.5},
                        **(
                            {
                                "pattern": {
                                    "shape": pattern,
                                    "fgcolor": "#1f2933",
                                    "bgcolor": "rgba(0,0,0,0)",
                                    "size": 6,
                                    "fillmode": "overlay",
                                }
                            }
                            if pattern
                            else {}
                        ),
                    },
                    hovertemplate="%{x}: %{y:.1%} " + name + "<extra></extra>",
                ),
                row=1,
                col=column,
            )
        shown_legend = True
    fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(tickangle=-45)
    fig.update_layout(barmode="group")
    style(fig, "Customers and revenue per segment (hatched: revenue)", height=500)
    fig.update_layout(margin={"t": 80, "b": 150}, legend={"y": 1.12, "x": 0.5})
    return fig


def crosstab_heatmaps(crosstab: pd.DataFrame, method_labels: dict) -> go.Figure:
    """Customers in each pair of segments across two methods, a menu to switch pairs."""
    fig = go.Figure()
    pairs = list(dict.fromkeys(zip(crosstab["method_a"], crosstab["method_b"], strict=True)))
    buttons = []
    for i, (method_a, method_b) in enumerate(pairs):
        group = crosstab[(crosstab["method_a"] == method_a) & (crosstab["method_b"] == method_b)]
        table = group.pivot_table(
            index="segment_b", columns="segment_a", values="customers", aggfunc="sum", fill_value=0
        )
        fig.add_trace(
            go.Heatmap(
                z=table.to_numpy(),
                x=[str(c) for c in table.columns],
                y=[str(r) for r in table.index],
                colorscale="Blues",
                texttemplate="%{z:,}",
                visible=i == 0,
                name=f"{method_a} \u00d7 {method_b}",
                hovertemplate=f"{method_labels.get(method_a, method_a)}: %{{x}}<br>"
                f"{method_labels.get(method_b, method_b)}: %{{y}}<br>%{{z:,}} customers"
                "<extra></extra>",
                colorbar={"title": {"text": "customers"}},
            )
        )
        label_a, label_b = (
            method_labels.get(method_a, method_a),
            method_labels.get(method_b, method_b),
        )
        buttons.append(
            {
                "label": f"{label_a} \u00d7 {label_b}",
                "method": "update",
                "args": [
                    {"visible": [j == i for j in range(len(pairs))]},
                    {"xaxis.title.text": label_a, "yaxis.title.text": label_b},
                ],
            }
        )
    if pairs:
        fig.update_xaxes(title=method_labels.get(pairs[0][0], pairs[0][0]))
        fig.update_yaxes(title=method_labels.get(pairs[0][1], pairs[0][1]), automargin=True)
    fig.update_layout(
        updatemenus=[
            {"buttons": buttons, "direction": "down", "x": 0, "y": 1.15, "xanchor": "left"}
        ]
    )
    style(fig, None, height=460)
    fig.update_layout(margin={"t": 70})
    return fig


def probability_histogram(probability: pd.Series, threshold: float) -> go.Figure:
    """How sure the mixture model is of each customer's segment."""
    fig = go.Figure(
        go.Histogram(
            x=probability.dropna(),
            xbins={"start": 0, "end": 1.0001, "size": 0.025},
            marker_color=ACCENT,
            hovertemplate="top probability %{x}: %{y:,} customers<extra></extra>",
        )
    )
    fig.add_vline(
        x=threshold,
        line_dash="dash",
        line_color="#b2182b",
        annotation_text=f"ambiguous below {threshold:.0%}",
    )
    fig.update_xaxes(title="probability of the assigned segment", tickformat=".0%")
    fig.update_yaxes(title="customers")
    return style(fig, "Mixture model: how sure is each assignment?", height=340)
