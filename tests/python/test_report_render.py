"""Rendering the report from a synthetic DuckDB warehouse (no dbt needed).

``synthetic_tables`` builds every mart the report reads with a few hundred made-up customers;
``write_warehouse`` puts them into a DuckDB file under the schemas the dbt project uses.
The browser test imports both from here.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.cluster import hierarchy
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

from segmentation.report import ReportDataError, render_report
from segmentation.report.__main__ import main
from segmentation.report.data import SPECS_BY_NAME

SCRIPT_ATTACK = "<script>window.__pwned=1</script>"
ATTRIBUTE_ATTACK = '"><img src=x onerror="window.__pwned=2">'
CLUSTER_NAMES = [
    "Champions",
    "Potential Loyalists",
    "Regular Customers",
    "Low-Value / One-Time Buyers",
]
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _quintile_scores(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    ranks = values.rank(method="first", ascending=higher_is_better)
    return np.ceil(ranks / len(values) * 5).astype(int).clip(1, 5)


def _invoice_lines(rng: np.random.Generator, n_customers: int, attack: bool) -> pd.DataFrame:
    """Valid invoice lines of made-up customers over the Online Retail calendar."""
    countries = ["United Kingdom", "Germany", "France", "EIRE", "Spain"]
    if attack:
        countries.append(SCRIPT_ATTACK)
    customer_ids = np.arange(12_000, 12_000 + n_customers)
    customer_country = rng.choice(countries, size=n_customers, p=None)
    start = pd.Timestamp("2010-12-01 08:00")
    end = pd.Timestamp("2011-12-09 12:00")
    span_minutes = int((end - start).total_seconds() // 60)
    products = [(f"P{i:03d}", f"Product {i}") for i in range(30)]
    if attack:
        products.append(("EVIL1", SCRIPT_ATTACK))
        products.append(("EVIL2", ATTRIBUTE_ATTACK))
    line_rows = []
    invoice = 500_000
    for customer_id, country in zip(customer_ids, customer_country, strict=True):
        orders = 1 + rng.geometric(0.35)
        for _ in range(orders):
            invoice += 1
            at = start + pd.Timedelta(minutes=int(rng.integers(0, span_minutes)))
            for _ in range(int(rng.integers(1, 4))):
                code, description = products[int(rng.integers(0, len(products)))]
                quantity = int(rng.integers(1, 24))
                price = float(np.round(rng.lognormal(1.0, 0.6), 2))
                line_rows.append(
                    (str(invoice), code, description, country, customer_id, quantity, price, at)
                )
    lines = pd.DataFrame(
        line_rows,
        columns=[
            "invoice_id",
            "stock_code",
            "description",
            "country",
            "customer_id",
            "quantity",
            "unit_price",
            "invoiced_at",
        ],
    )
    lines.insert(0, "invoice_line_id", np.arange(len(lines), dtype=np.int64))
    lines["line_amount"] = lines["quantity"] * lines["unit_price"]
    return lines


def _dim_customers(lines: pd.DataFrame) -> pd.DataFrame:
    """RFM per customer, quintile scores and the seed's rule-based segment."""
    as_of = lines["invoiced_at"].max().normalize() + pd.Timedelta(days=1)
    customers = (
        lines.groupby("customer_id")
        .agg(
            country=("country", "first"),
            frequency=("invoice_id", "nunique"),
            monetary=("line_amount", "sum"),
            first_purchase_at=("invoiced_at", "min"),
            last_purchase_at=("invoiced_at", "max"),
        )
        .reset_index()
    )
    customers["recency_days"] = (as_of - customers["last_purchase_at"].dt.normalize()).dt.days
    customers["r_score"] = _quintile_scores(customers["recency_days"], higher_is_better=False)
    customers["f_score"] = _quintile_scores(customers["frequency"])
    customers["m_score"] = _quintile_scores(customers["monetary"])
    scores = customers[["r_score", "f_score", "m_score"]].astype(str)
    customers["rfm_cell"] = scores["r_score"] + scores["f_score"] + scores["m_score"]
    segment_map = pd.read_csv(SEEDS / "rfm_segment_map.csv")
    return customers.merge(segment_map, on=["r_score", "f_score"], how="left", validate="m:1")


def _transaction_audit(valid_rows: int) -> pd.DataFrame:
    """The seed's outcomes, made-up counts of rejected rows."""
    audit = pd.read_csv(SEEDS / "transaction_outcomes.csv")
    audit = audit.rename(columns={"description": "outcome_description"})
    audit["row_count"] = np.where(audit["is_rejected"], audit["outcome_rank"] * 7, valid_rows)
    audit["row_share"] = audit["row_count"] / audit["row_count"].sum()
    return audit


def _headline(lines: pd.DataFrame, customers: pd.DataFrame, audit: pd.DataFrame) -> pd.DataFrame:
    revenue, orders = lines["line_amount"].sum(), lines["invoice_id"].nunique()
    raw_rows, valid_rows = audit["row_count"].sum(), len(lines)
    row = {
        "customers": len(customers),
        "orders": orders,
        "invoice_lines": len(lines),
        "products": lines["stock_code"].nunique(),
        "countries": lines["country"].nunique(),
        "revenue": revenue,
        "average_order_value": revenue / orders,
        "raw_rows": raw_rows,
        "valid_rows": valid_rows,
        "rejected_rows": raw_rows - valid_rows,
        "valid_row_share": valid_rows / raw_rows,
        "first_invoice_date": lines["invoiced_at"].min().date(),
        "last_invoice_date": lines["invoiced_at"].max().date(),
    }
    return pd.DataFrame([row])


def _monthly_revenue(lines: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    month = lines["invoiced_at"].dt.to_period("M").dt.start_time.rename("month_start_date")
    monthly = (
        lines.groupby(month)
        .agg(
            revenue=("line_amount", "sum"),
            orders=("invoice_id", "nunique"),
            active_customers=("customer_id", "nunique"),
        )
        .reset_index()
    )
    first_month = customers["first_purchase_at"].dt.to_period("M").dt.start_time
    monthly["new_customers"] = (
        monthly["month_start_date"].map(first_month.value_counts()).fillna(0).astype(int)
    )
    monthly["returns_amount"] = (monthly["revenue"] * 0.03).round(2)
    monthly["return_lines"] = (monthly["orders"] // 10).astype(int)
    monthly["month_start_date"] = monthly["month_start_date"].dt.date
    return monthly


def _score_thresholds(customers: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for metric, score_column in (
        ("recency_days", "r_score"),
        ("frequency", "f_score"),
        ("monetary", "m_score"),
    ):
        bands = customers.groupby(score_column)[metric].agg(["min", "max", "size"])
        for score, band in bands.iterrows():
            low = None if score == 1 else float(band["min"]) - 0.5
            high = None if score == 5 else float(band["max"])
            rows.append((metric, int(score), low, high, int(band["size"])))
    return pd.DataFrame(
        rows,
        columns=["metric", "score", "lower_bound_exclusive", "upper_bound_inclusive", "customers"],
    )


def _revenue_marts(lines: pd.DataFrame, customers: pd.DataFrame) -> dict:
    """Revenue by product and by country and rule-based segment."""
    products = (
        lines.groupby("stock_code")
        .agg(
            description=("description", "first"),
            quantity=("quantity", "sum"),
            revenue=("line_amount", "sum"),
        )
        .reset_index()
    )
    products["revenue_rank"] = products["revenue"].rank(method="first", ascending=False).astype(int)
    segments = lines.merge(customers[["customer_id", "rfm_segment"]], on="customer_id")
    countries = segments.groupby(["country", "rfm_segment"])["line_amount"].sum()
    countries = countries.rename("revenue").reset_index()
    country_revenue = countries.groupby("country")["revenue"].transform("sum")
    countries["country_revenue_rank"] = country_revenue.rank(
        method="dense", ascending=False
    ).astype(int)
    return {"rpt_product_revenue": products, "rpt_country_segment_revenue": countries}


def _rfm_segment_profiles(customers: pd.DataFrame, attack: bool) -> pd.DataFrame:
    """Profiles of the rule-based segments with the seed's texts (and injections)."""
    profiles = (
        customers.groupby("rfm_segment")
        .agg(
            customers=("customer_id", "size"),
            median_recency_days=("recency_days", "median"),
            median_frequency=("frequency", "median"),
            median_monetary=("monetary", "median"),
            revenue=("monetary", "sum"),
        )
        .reset_index()
    )
    profiles["customer_share"] = profiles["customers"] / len(customers)
    profiles["revenue_share"] = profiles["revenue"] / profiles["revenue"].sum()
    profiles["revenue_rank"] = profiles["revenue"].rank(method="first", ascending=False).astype(int)
    seed = pd.read_csv(SEEDS / "rfm_segments.csv").drop(columns="segment_rank")
    if attack:
        seed["description"] += f" {SCRIPT_ATTACK}"
        seed["marketing_action"] += f" {ATTRIBUTE_ATTACK}"
    return profiles.merge(seed, on="rfm_segment", how="left", validate="1:1")


def synthetic_tables(n_customers: int = 300, seed: int = 7, attack: bool = True) -> dict:
    """Every mart the report reads, with made-up but self-consistent values."""
    rng = np.random.default_rng(seed)
    lines = _invoice_lines(rng, n_customers, attack)
    customers = _dim_customers(lines)
    audit = _transaction_audit(len(lines))
    return {
        "dim_customers": customers,
        "rpt_headline_figures": _headline(lines, customers, audit),
        "rpt_transaction_audit": audit,
        "rpt_monthly_revenue": _monthly_revenue(lines, customers),
        "rpt_rfm_score_thresholds": _score_thresholds(customers),
        "rpt_rfm_segment_profiles": _rfm_segment_profiles(customers, attack),
        **_revenue_marts(lines, customers),
        **clustering_tables(customers, rng, sample_size=60),
    }


def clustering_tables(
    customers: pd.DataFrame, rng: np.random.Generator, sample_size: int = 60
) -> dict:
    """Made-up clustering marts for ``customers`` (recency_days, frequency, monetary).

    Segments follow a noisy value score, so the three methods mostly but not fully agree.
    """
    # Clustering half: value = rank of monetary and frequency; cluster 1 is best.
    features = np.column_stack(
        [
            np.log1p(customers["recency_days"]),
            np.log1p(customers["frequency"]),
            np.log1p(customers["monetary"]),
        ]
    )
    scaled = (features - features.min(axis=0)) / np.ptp(features, axis=0)
    value = scaled[:, 1] + scaled[:, 2] - scaled[:, 0]
    segments = pd.DataFrame({"customer_id": customers["customer_id"]})
    for offset, method in enumerate(("kmeans", "agglomerative", "gmm")):
        noisy = value + rng.normal(0, 0.05 * (offset + 1), size=len(value))
        cluster = 4 - np.digitize(noisy, np.quantile(noisy, [0.4, 0.7, 0.9]))
        segments[f"{method}_segment_rank"] = cluster.astype(np.int32)
        segments[f"{method}_segment"] = [CLUSTER_NAMES[c - 1] for c in cluster]
    segments["recency_days"] = customers["recency_days"].astype(float)
    segments["frequency"] = customers["frequency"].astype(float)
    segments["monetary"] = customers["monetary"]
    segments["recency_scaled"] = scaled[:, 0]
    segments["frequency_scaled"] = scaled[:, 1]
    segments["monetary_scaled"] = scaled[:, 2]
    probabilities = rng.dirichlet(np.full(4, 0.6), size=len(segments))
    assigned = segments["gmm_segment_rank"].to_numpy() - 1
    top = probabilities.max(axis=1)
    probabilities[np.arange(len(segments)), assigned] = top + 0.2
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    segments["gmm_probability"] = probabilities[np.arange(len(segments)), assigned]
    segments["gmm_entropy"] = -(probabilities * np.log(probabilities)).sum(axis=1)
    sample = rng.choice(len(segments), size=min(sample_size, len(segments)), replace=False)
    segments["is_agglomerative_fit_sample"] = np.isin(np.arange(len(segments)), sample)
    probability_rows = pd.DataFrame(
        {
            "customer_id": np.repeat(segments["customer_id"].to_numpy(), 4),
            "gmm_segment_rank": np.tile(np.arange(1, 5), len(segments)).astype(np.int32),
            "probability": probabilities.ravel(),
        }
    )
    probability_rows["gmm_segment"] = [
        CLUSTER_NAMES[c - 1] for c in probability_rows["gmm_segment_rank"]
    ]
    probability_rows["is_assigned"] = probability_rows["gmm_segment_rank"].to_numpy() == np.repeat(
        segments["gmm_segment_rank"].to_numpy(), 4
    )
    probability_rows = probability_rows[
        ["customer_id", "gmm_segment_rank", "gmm_segment", "probability", "is_assigned"]
    ]

    profile_rows = []
    total_revenue = customers["monetary"].sum()
    for method in ("kmeans", "agglomerative", "gmm"):
        frame = customers.assign(segment_rank=segments[f"{method}_segment_rank"])
        for segment_rank, group in frame.groupby("segment_rank"):
            profile_rows.append(
                {
                    "method": method,
                    "segment": CLUSTER_NAMES[segment_rank - 1],
                    "segment_rank": int(segment_rank),
                    "customers": len(group),
                    "customer_share": len(group) / len(frame),
                    "mean_recency_days": group["recency_days"].mean(),
                    "median_recency_days": group["recency_days"].median(),
                    "mean_frequency": group["frequency"].mean(),
                    "median_frequency": group["frequency"].median(),
                    "mean_monetary": group["monetary"].mean(),
                    "median_monetary": group["monetary"].median(),
                    "revenue_share": group["monetary"].sum() / total_revenue,
                    "value_score": float(5 - segment_rank),
                }
            )
    profiles = pd.DataFrame(profile_rows)
    selection_rows = []
    for method in ("kmeans", "agglomerative", "gmm"):
        for k in range(2, 9):
            selection_rows.append(
                {
                    "method": method,
                    "k": k,
                    "inertia": 100.0 / k if method == "kmeans" else None,
                    "silhouette": 0.5 - abs(k - 4) * 0.04,
                    "calinski_harabasz": 300.0 - k,
                    "davies_bouldin": 0.8 + abs(k - 4) * 0.05,
                    "bic": 1000.0 + (k - 4) ** 2 * 10 if method == "gmm" else None,
                    "aic": 950.0 + (k - 4) ** 2 * 9 if method == "gmm" else None,
                    "is_recommended": k == 4,
                    "is_used": k == 4,
                }
            )
    selection = pd.DataFrame(selection_rows)
    agreement_rows, crosstab_rows = [], []
    for a, b in (("kmeans", "agglomerative"), ("kmeans", "gmm"), ("agglomerative", "gmm")):
        left, right = segments[f"{a}_segment"], segments[f"{b}_segment"]
        agreement_rows.append(
            {
                "method_a": a,
                "method_b": b,
                "adjusted_rand_index": adjusted_rand_score(left, right),
                "adjusted_mutual_info": adjusted_mutual_info_score(left, right),
            }
        )
        counts = pd.crosstab(left, right).stack().rename("customers").reset_index()
        counts.columns = ["segment_a", "segment_b", "customers"]
        crosstab_rows.append(counts.assign(method_a=a, method_b=b))
    crosstab = pd.concat(crosstab_rows)[
        ["method_a", "method_b", "segment_a", "segment_b", "customers"]
    ]
    linkage = hierarchy.linkage(scaled[np.sort(sample)], method="ward")
    merge_tree = pd.DataFrame(
        {
            "merge_step": np.arange(1, len(linkage) + 1),
            "left_node_id": linkage[:, 0].astype(np.int64),
            "right_node_id": linkage[:, 1].astype(np.int64),
            "merge_distance": linkage[:, 2],
            "cluster_size": linkage[:, 3].astype(np.int64),
        }
    )
    scaling = pd.DataFrame(
        {
            "feature": ["recency_days", "frequency", "monetary"],
            "transform": ["log1p_minmax"] * 3,
            "fitted_min": features.min(axis=0),
            "fitted_max": features.max(axis=0),
        }
    )
    return {
        "dim_customer_segments": segments,
        "fct_customer_segment_probabilities": probability_rows,
        "rpt_segment_profiles": profiles,
        "rpt_cluster_model_selection": selection,
        "rpt_segmentation_method_agreement": pd.DataFrame(agreement_rows),
        "rpt_segmentation_method_crosstab": crosstab,
        "fct_agglomerative_merge_tree": merge_tree,
        "dim_rfm_feature_scaling": scaling,
    }


def write_warehouse(tables: dict, path: Path) -> Path:
    """Write the frames as tables of the marts schema of a DuckDB file, as dbt does."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema if not exists marts")
        for name, frame in tables.items():
            connection.register("frame_to_write", frame)
            connection.execute(f"create table marts.{name} as select * from frame_to_write")
            connection.unregister("frame_to_write")
    return path


@pytest.fixture(scope="module")
def synthetic_warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("warehouse") / "segmentation.duckdb"
    return write_warehouse(synthetic_tables(), path)


@pytest.fixture(scope="module")
def rendered(synthetic_warehouse, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    render_report(synthetic_warehouse, out)
    return out.read_text(encoding="utf-8")


def _outside_json(page: str) -> str:
    """The page without its JSON data block (which holds the escaped data)."""
    return re.sub(
        r'<script type="application/json" id="report-data">.*?</script>', "", page, flags=re.S
    )


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parsed_tags(page: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_report_is_one_file_that_fetches_nothing(rendered):
    # given a report rendered from the synthetic warehouse
    tags = parsed_tags(rendered)
    # when we collect every URL-bearing attribute and every event-handler attribute
    urls = [a[k] for _, a in tags for k in ("src", "href", "action") if k in a]
    handlers = [k for _, a in tags for k in a if k.startswith("on")]
    # then only in-page anchors are referenced, nothing loads, and a CSP forbids fetches
    assert urls and all(url.startswith("#") for url in urls), urls
    assert not {"img", "link", "iframe", "object", "embed"} & {tag for tag, _ in tags}
    assert handlers == []
    csp = next(a["content"] for t, a in tags if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp
    assert "connect-src 'none'" in csp
    assert rendered.count("plotly.js v") == 1
    assert [a.get("type") for tag, a in tags if tag == "script"] == ["application/json", None, None]


def test_every_chart_placeholder_has_data(rendered):
    # given the rendered page
    placeholders = re.findall(r'data-chart="([a-z0-9_]+)"', rendered)
    # then every chart div names a chart that the JSON block holds
    assert len(placeholders) >= 15
    for chart_id in placeholders:
        assert f'"{chart_id}":{{' in rendered, chart_id


def test_data_attacks_never_reach_the_html_unescaped(rendered):
    # given countries, descriptions and seed texts carrying script and attribute injections
    page_without_data = _outside_json(rendered)
    # then no injected element appears in the HTML, only its escaped text
    assert "<script>window.__pwned" not in rendered
    assert "<img src=x" not in rendered
    assert 'onerror="window' not in page_without_data
    assert html.escape(SCRIPT_ATTACK) in page_without_data
    # and inside the JSON block the angle brackets are escaped as \u003c / \u003e
    data_block = re.search(r'id="report-data">(.*?)</script>', rendered, flags=re.S).group(1)
    assert "<" not in data_block and ">" not in data_block
    assert "\\u003cscript\\u003ewindow.__pwned=1\\u003c/script\\u003e" in data_block


def test_all_inline_scripts_are_allowed_by_hash(rendered):
    # given the CSP of the page
    import base64
    import hashlib

    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', rendered).group(1)
    # when we hash every executable inline script
    scripts = re.findall(r"<script>(.*?)</script>", rendered, flags=re.S)
    # then each one is listed and nothing else is allowed to run inline
    assert len(scripts) == 2
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in html.unescape(csp)
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


def test_report_without_clustering_marts_still_renders(tmp_path):
    # given a warehouse from an older build with the SQL half only
    tables = {
        name: frame
        for name, frame in synthetic_tables(n_customers=80, attack=False).items()
        if not (SPECS_BY_NAME.get(name) and SPECS_BY_NAME[name].clustering)
        and name != "dim_rfm_feature_scaling"
    }
    warehouse = write_warehouse(tables, tmp_path / "old.duckdb")
    # when the report is rendered
    out = render_report(warehouse, tmp_path / "out" / "report.html")
    page = out.read_text(encoding="utf-8")
    # then it says the clustering sections are unavailable and draws the SQL half
    assert "clustering sections are unavailable" in page
    assert 'data-chart="revenue_treemap"' in page
    assert 'data-chart="elbow"' not in page


def test_missing_warehouse_says_to_run_make_run(tmp_path, capsys):
    # given no warehouse file
    # when the command line is run against it
    code = main(["--warehouse", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r.html")])
    # then it exits non-zero with a message, not a traceback
    assert code == 2
    error = capsys.readouterr().err
    assert "make run" in error and "none.duckdb" in error
    assert "Traceback" not in error


def test_missing_required_mart_names_the_table(tmp_path):
    # given a warehouse without the monthly revenue mart
    tables = synthetic_tables(n_customers=40, attack=False)
    del tables["rpt_monthly_revenue"]
    warehouse = write_warehouse(tables, tmp_path / "partial.duckdb")
    # when / then rendering fails naming the table and the fix
    with pytest.raises(ReportDataError, match=r"marts\.rpt_monthly_revenue.*make run"):
        render_report(warehouse, tmp_path / "r.html")


def test_missing_column_names_table_and_column(tmp_path):
    # given a dim_customers without its rfm_segment column
    tables = synthetic_tables(n_customers=40, attack=False)
    tables["dim_customers"] = tables["dim_customers"].drop(columns="rfm_segment")
    warehouse = write_warehouse(tables, tmp_path / "old_columns.duckdb")
    # when / then the error names both
    with pytest.raises(ReportDataError, match=r"marts\.dim_customers.*rfm_segment"):
        render_report(warehouse, tmp_path / "r.html")


def test_warehouse_is_opened_read_only(synthetic_warehouse, tmp_path):
    # given a warehouse held open by a read-only reader elsewhere
    with duckdb.connect(str(synthetic_warehouse), read_only=True):
        # when the report is rendered at the same time
        out = render_report(synthetic_warehouse, tmp_path / "r.html")
    # then it succeeds (a read-write open would conflict with the other reader's lock)
    assert out.stat().st_size > 1_000_000


def test_explorer_bound_is_stated_when_customers_are_left_out(synthetic_warehouse, tmp_path):
    # given a bound smaller than the number of customers
    out = render_report(synthetic_warehouse, tmp_path / "r.html", max_explorer_customers=50)
    page = out.read_text(encoding="utf-8")
    # then the page says how many are embedded and how many are left out
    assert "holds the 50 highest-spending customers of 300" in page
    assert "the 250\n  left out" in page or "the 250 left out" in " ".join(page.split())


def test_clustering_context_follows_the_marts():
    # given the synthetic marts, clustering half included
    from segmentation.report import build_context

    tables = synthetic_tables(n_customers=120, attack=False)
    context = build_context(tables, ambiguous_below=0.5)
    # then the ambiguous count is the customers under the threshold
    expected = int((tables["dim_customer_segments"]["gmm_probability"] < 0.5).sum())
    assert context["ambiguous"]["count"] == expected
    # and the runner-up of each listed customer is never more likely than the assignment
    for row in context["ambiguous"]["rows"]:
        assert row["runner_up_probability"] <= row["probability"]
    # and the dendrogram's cut for k=4 lies between the 4th- and 3rd-last merges
    distances = sorted(tables["fct_agglomerative_merge_tree"]["merge_distance"])
    cut = context["figures"]["dendrogram"].layout.shapes[0].y0
    assert distances[-4] < cut < distances[-3]
    # and the profiles list the rule-based method first, then the clustering methods in order
    assert [t["method"] for t in context["profile_tables"]] == [
        "rule_based",
        "kmeans",
        "agglomerative",
        "gmm",
    ]


def test_report_exposure_lists_exactly_the_marts_the_report_reads():
    # given the dbt exposure of the report
    import yaml

    exposures = yaml.safe_load((SEEDS.parent / "models/marts/_exposures.yml").read_text())
    report = next(e for e in exposures["exposures"] if e["name"] == "segmentation_report")
    # then it names every mart of the report's table specs, and nothing else
    refs = {re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in report["depends_on"]}
    assert refs == set(SPECS_BY_NAME)
