"""The "Future value" part of the report, and the explorer's predictions.

Built from dim_customer_predictions (P(alive), predicted CLV, churn risk per customer),
rpt_clv_model_parameters (the fits) and the backtest marts rpt_clv_backtest_tracking (the
tracking plot) and rpt_segment_holdout_lift (the lift chart). Pure, as ``context`` is:
frames in, template values and plotly figures out. A mart that is missing (an older
warehouse) leaves its charts out and the page says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from segmentation.report.charts import ACCENT, SECOND, style
from segmentation.report.colors import segment_color

# The marts of this part; each is optional (an older warehouse lacks them).
MARTS = (
    "dim_customer_predictions",
    "rpt_clv_model_parameters",
    "rpt_clv_backtest_tracking",
    "rpt_segment_holdout_lift",
)
# churn_risk values, from the most to the least likely alive (segmentation.value.CHURN_RISKS).
CHURN_RISKS = ("low", "medium", "high")
CHURN_COLORS = {"low": "#1b7837", "medium": "#e0a526", "high": "#b2182b"}
NOT_PREDICTED = "not predicted"
# The CLV histogram: this many equal bins up to the 99th percentile, the rest in one bar.
CLV_BINS = 30
CLV_TOP_QUANTILE = 0.99
# The explorer's prediction columns, in the order the table shows them.
EXPLORER_COLUMNS = ("p_alive", "predicted_clv_365d", "churn_risk")

Section = tuple[dict, dict]


def _missing(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    return [name for name in MARTS if name not in tables]


# Customers and the explorer --------------------------------------------------------------


def with_predictions(customers: pd.DataFrame, predictions: pd.DataFrame | None) -> pd.DataFrame:
    """``customers`` with each one's P(alive), predicted CLV and churn risk (null without
    the predictions mart)."""
    frame = customers.drop(columns=[c for c in EXPLORER_COLUMNS if c in customers])
    if predictions is None:
        return frame.assign(**dict.fromkeys(EXPLORER_COLUMNS))
    return frame.merge(
        predictions[["customer_id", *EXPLORER_COLUMNS]],
        on="customer_id",
        how="left",
        validate="1:1",
    )


def explorer_predictions(embedded: pd.DataFrame) -> dict | None:
    """The explorer's prediction columns, row by row; None when nothing is predicted."""
    if "p_alive" not in embedded or embedded["p_alive"].isna().all():
        return None

    def column(name: str, digits: int | None) -> list:
        values = embedded[name]
        if digits is not None:
            values = values.astype(float).round(digits)
        return [None if pd.isna(v) else (v if isinstance(v, str) else float(v)) for v in values]

    return {
        "p_alive": column("p_alive", 3),
        "predicted_clv_365d": column("predicted_clv_365d", 2),
        "churn_risk": column("churn_risk", None),
    }


# Figures ------------------------------------------------------------------------------------


def clv_bins(clv: pd.Series) -> pd.DataFrame:
    """Customers per bin of predicted CLV: ``CLV_BINS`` equal bins from 0 to the 99th
    percentile, then one bar for the customers above it. Columns: label, customers, low,
    high."""
    values = clv.dropna().astype(float).to_numpy()
    if not len(values):
        return pd.DataFrame(columns=["label", "customers", "low", "high"])
    top = float(np.quantile(values, CLV_TOP_QUANTILE))
    top = top if top > 0 else float(values.max()) or 1.0
    edges = np.linspace(0.0, top, CLV_BINS + 1)
    counts, _ = np.histogram(np.minimum(values, top), bins=edges)
    above = int((values > top).sum())
    counts[-1] -= above  # np.histogram puts the clipped values in the last bin
    rows = [
        {"label": f"£{low:,.0f}–{high:,.0f}", "customers": int(n), "low": low, "high": high}
        for low, high, n in zip(edges[:-1], edges[1:], counts, strict=True)
    ]
    rows.append({"label": f"> £{top:,.0f}", "customers": above, "low": top, "high": None})
    return pd.DataFrame(rows)


def clv_distribution(bins: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=bins["label"],
            y=bins["customers"],
            marker_color=ACCENT,
            hovertemplate="%{x}: %{y:,} customers<extra></extra>",
        )
    )
    fig.update_xaxes(title="predicted CLV over the next 365 days (discounted)")
    fig.update_yaxes(title="customers")
    return style(fig, "Predicted 365-day customer value", height=360)


def churn_counts(predictions: pd.DataFrame) -> pd.DataFrame:
    """Customers per churn risk, every risk listed (zero when none), then the customers
    without a prediction when there are any."""
    risk = predictions["churn_risk"].astype(object).where(predictions["churn_risk"].notna())
    counts = [(name, int((risk == name).sum())) for name in CHURN_RISKS]
    unknown = int(risk.isna().sum())
    if unknown:
        counts.append((NOT_PREDICTED, unknown))
    return pd.DataFrame(counts, columns=["churn_risk", "customers"])


def churn_risk_chart(counts: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=counts["churn_risk"],
            y=counts["customers"],
            marker_color=[CHURN_COLORS.get(r, "#9aa5b1") for r in counts["churn_risk"]],
            hovertemplate="%{x}: %{y:,} customers<extra></extra>",
        )
    )
    fig.update_yaxes(title="customers")
    return style(fig, "Customers by churn risk", height=320)


def p_alive_by_segment(customers: pd.DataFrame, order: list[str]) -> go.Figure:
    """One box of P(alive) per rule-based segment (``rule_based_label``), in ``order``."""
    fig = go.Figure()
    for label in order:
        values = customers.loc[customers["rule_based_label"] == label, "p_alive"].dropna()
        fig.add_trace(
            go.Box(
                y=values.astype(float),
                name=label,
                marker_color=segment_color(label),
                boxpoints=False,
                hoverinfo="y",
            )
        )
    fig.update_yaxes(title="P(alive)", range=[0, 1.02], tickformat=".0%")
    fig.update_layout(showlegend=False)
    return style(fig, "P(alive) by rule-based segment", height=380)


def tracking_plot(tracking: pd.DataFrame) -> go.Figure:
    """Cumulative repeat purchases per week, predicted and actual, holdout shaded."""
    frame = tracking.sort_values("weeks_from_cutoff")
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=frame["week_start_date"],
            y=frame["actual_cumulative_repeat_purchases"],
            name="actual",
            mode="lines",
            line={"color": ACCENT},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=frame["week_start_date"],
            y=frame["predicted_cumulative_repeat_purchases"],
            name="predicted (BG/NBD)",
            mode="lines",
            line={"color": SECOND, "dash": "dash"},
        )
    )
    holdout = frame[frame["is_holdout"].astype(bool)]
    if len(holdout):
        fig.add_vrect(
            x0=holdout["week_start_date"].min(),
            x1=holdout["week_start_date"].max(),
            fillcolor="#9aa5b1",
            opacity=0.12,
            line_width=0,
            annotation_text="holdout",
            annotation_position="top left",
        )
    fig.update_yaxes(title="cumulative repeat purchases")
    return style(fig, "Tracking plot: repeat purchases, predicted and actual", height=380)


def lift_chart(lift: pd.DataFrame, methods: list[str], method_labels: Mapping) -> go.Figure:
    """Per method, each segment's holdout buyer lift (its share of customers who bought
    in the holdout over all customers' share), best segment first."""
    fig = make_subplots(
        rows=1,
        cols=len(methods),
        subplot_titles=[method_labels.get(m, m) for m in methods],
        shared_yaxes=True,
    )
    for column, method in enumerate(methods, start=1):
        rows = lift[lift["method"] == method].sort_values(
            ["holdout_buyer_lift", "segment"], ascending=[False, True]
        )
        fig.add_trace(
            go.Bar(
                x=rows["segment"].astype(str),
                y=rows["holdout_buyer_lift"],
                name=method_labels.get(method, method),
                marker_color=[segment_color(s) for s in rows["segment"]],
                customdata=np.column_stack([rows["customers"], rows["holdout_buyer_share"]]),
                hovertemplate=(
                    "%{x}: lift %{y:.2f}<br>%{customdata[0]:,} customers, "
                    "%{customdata[1]:.0%} bought in the holdout<extra></extra>"
                ),
                showlegend=False,
            ),
            row=1,
            col=column,
        )
        fig.add_hline(y=1, line_dash="dot", line_color="#9aa5b1", row=1, col=column)
    fig.update_yaxes(title="holdout buyer lift", row=1, col=1)
    return style(fig, "Who bought again after the cutoff: lift per segment", height=420)


# The section --------------------------------------------------------------------------------


def _parameters(parameters: pd.DataFrame | None) -> list[dict]:
    if parameters is None:
        return []
    rows = []
    for row in parameters.itertuples(index=False):
        rows.append(
            {
                "model": row.model,
                "parameter": row.parameter,
                "estimate": None if pd.isna(row.estimate) else float(row.estimate),
                "time_unit": row.time_unit if isinstance(row.time_unit, str) else None,
                "status": row.status,
                "customers_used": int(row.customers_used),
            }
        )
    return rows


def _lift_methods(lift: pd.DataFrame, methods: list[str]) -> list[str]:
    present = list(dict.fromkeys(lift["method"]))
    return [m for m in methods if m in present] + [m for m in present if m not in methods]


def section(
    tables: Mapping[str, pd.DataFrame],
    customers: pd.DataFrame,
    segment_order: list[str],
    methods: list[str],
    method_labels: Mapping[str, str],
) -> Section:
    """Values and figures of "Future value".

    ``customers`` carry ``rule_based_label`` and the predictions (``with_predictions``);
    ``segment_order`` lists the rule-based labels in report order; ``methods`` the
    segmentation methods of the lift chart in order, the rule-based one first (its segments
    are shown by their labels).
    """
    figures: dict[str, go.Figure] = {}
    values: dict = {"missing": _missing(tables)}
    predictions = tables.get("dim_customer_predictions")
    values["predicted"] = 0
    values["churn"] = []
    if predictions is not None and len(predictions):
        clv = predictions["predicted_clv_365d"]
        values["predicted"] = int(predictions["p_alive"].notna().sum())
        values["customers"] = len(predictions)
        values["total_clv"] = float(clv.sum()) if clv.notna().any() else None
        values["median_clv"] = float(clv.median()) if clv.notna().any() else None
        values["control_customers"] = int(predictions["is_control_group"].astype(bool).sum())
        counts = churn_counts(predictions)
        values["churn"] = counts.to_dict(orient="records")
        at_risk = counts.loc[counts["churn_risk"].isin(CHURN_RISKS[1:]), "customers"].sum()
        values["none_at_risk"] = values["predicted"] > 0 and int(at_risk) == 0
        figures["churn_risk"] = churn_risk_chart(counts)
        if clv.notna().any():
            figures["clv_distribution"] = clv_distribution(clv_bins(clv))
        if predictions["p_alive"].notna().any():
            figures["p_alive_by_segment"] = p_alive_by_segment(customers, segment_order)
    values["parameters"] = _parameters(tables.get("rpt_clv_model_parameters"))
    values["statuses"] = {row["model"]: row["status"] for row in values["parameters"]}
    tracking = tables.get("rpt_clv_backtest_tracking")
    if tracking is not None and len(tracking):
        figures["clv_tracking"] = tracking_plot(tracking)
    lift = tables.get("rpt_segment_holdout_lift")
    if lift is not None and len(lift):
        # rule-based segments are shown by their labels, as everywhere in the report
        labels = dict(zip(customers["rfm_segment"], customers["rule_based_label"], strict=True))
        rule_based = lift["method"] == methods[0]
        lift = lift.assign(
            segment=lift["segment"].where(~rule_based, lift["segment"].replace(labels))
        )
        figures["holdout_lift"] = lift_chart(lift, _lift_methods(lift, methods), method_labels)
    return {"future_value": values}, figures
