"""The clustering functions on the real Online Retail file: the figures the issue promises.

Skipped with a reason where ../shared/data/online_retail.parquet is absent. RFM is computed
here with duckdb by the project's outcome rules (valid lines, duplicates and the seed's
non-product stock codes dropped, recency to 2011-12-10) so these tests do not depend on the
dbt build.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import skew

from segmentation.clustering import (
    METHODS,
    ClusteringConfig,
    agglomerative_segments,
    fit_feature_scaling,
    gmm_segments,
    kmeans_segments,
    scale_features,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_FILE = REPO_ROOT.parent / "shared" / "data" / "online_retail.parquet"
NON_PRODUCT_STOCK_CODES = REPO_ROOT / "seeds" / "non_product_stock_codes.csv"

FOUR = ClusteringConfig(n_segments=4)

pytestmark = [
    pytest.mark.real_data,
    pytest.mark.skipif(not REAL_FILE.exists(), reason=f"real data file absent: {REAL_FILE}"),
]

RFM_SQL = """
with raw as (select distinct * from read_parquet(?)),
valid as (
    select * from raw
    where CustomerID is not null
      and not (InvoiceNo like 'C%' or InvoiceNo like 'A%')
      and Quantity > 0 and UnitPrice > 0
      and StockCode not in (select stock_code from read_csv(?, all_varchar = true))
)
select
    CustomerID as customer_id,
    date_diff('day', max(InvoiceDate)::date, date '2011-12-10') as recency_days,
    count(distinct InvoiceNo) as frequency,
    sum(Quantity * UnitPrice) as monetary
from valid
group by 1
"""


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    import duckdb

    return duckdb.connect().execute(RFM_SQL, [str(REAL_FILE), str(NON_PRODUCT_STOCK_CODES)]).df()


@pytest.fixture(scope="module")
def segmented(customers) -> dict[str, pd.DataFrame]:
    features = scale_features(customers)
    return {
        "kmeans": kmeans_segments(features, FOUR),
        "agglomerative": agglomerative_segments(features, FOUR),
        "gmm": gmm_segments(features, FOUR),
    }


def test_real_file_has_the_documented_number_of_customers(customers):
    assert len(customers) == 4334


def test_log1p_default_is_justified_by_the_heavy_tails(customers):
    # frequency and monetary are heavy-tailed; log1p brings their skew near symmetric
    for feature in ("frequency", "monetary"):
        assert skew(customers[feature]) > 10
        assert abs(skew(np.log1p(customers[feature]))) < 1.5
    # without it, most customers would be squeezed into the bottom 2 % of monetary_scaled
    plain = scale_features(customers, ClusteringConfig(rfm_log_transform=False))
    logged = scale_features(customers)
    assert plain["monetary_scaled"].median() < 0.02
    assert 0.2 < logged["monetary_scaled"].median() < 0.8
    params = fit_feature_scaling(customers).set_index("feature")
    assert params.at["recency_days", "transform"] == "none"


@pytest.mark.parametrize("method", METHODS)
def test_names_mean_what_they_say_on_the_real_data(customers, segmented, method):
    profile = (
        customers.merge(segmented[method], on="customer_id")
        .groupby("segment")[["frequency", "monetary"]]
        .mean()
    )
    assert profile["frequency"].idxmax() == "Champions"
    assert profile["monetary"].idxmax() == "Champions"
    assert profile["monetary"].idxmin() == "Low-Value / One-Time Buyers"
    assert len(profile) == 4


def test_two_runs_on_the_real_data_give_identical_assignments(customers, segmented):
    again = kmeans_segments(scale_features(customers.iloc[::-1]), FOUR)
    pd.testing.assert_frame_equal(segmented["kmeans"], again)
    again = gmm_segments(scale_features(customers.iloc[::-1]), FOUR)
    pd.testing.assert_frame_equal(segmented["gmm"], again)
