"""BG/NBD and Gamma-Gamma reproduce the published CDNOW estimates through the project.

Given the CDNOW sample of the BG/NBD paper (Fader, Hardie & Lee 2005; ../shared/data/
cdnow_sample.txt) written as a raw file of the project's schema, when dbt builds
int_customers_purchase_summary at the as-of date 1997-10-01 (calibration: the first 39
weeks) and segmentation.value fits both models on it, then the estimates are the published
ones: r = 0.243, alpha = 4.414 weeks, a = 0.793, b = 2.426, log-likelihood -9582.4; and on
the 946 repeat customers p = 6.25, q = 3.74, gamma = 15.44.

The raw file: one invoice per sample line (InvoiceNo = line number), StockCode 'CD',
Quantity = CDs, UnitPrice = dollars / CDs, InvoiceDate = the day, CustomerID = the sample id.
No line has 0 CDs. The 8 lines of $0.00 are purchases in the paper, but the project's
outcome rules reject non-positive prices (non_positive_price, no switch), which would drop 8
customers whose only calibration purchase they are and move r to 0.244 (measured; see
docs/decisions.md). This test therefore gives those 8 lines a nominal price of one cent a CD:
the BG/NBD counts are the paper's, and Gamma-Gamma is unaffected because each is a first
purchase day, which m_x leaves out (asserted below).

The models are fitted in days: alpha in weeks is alpha / 7, and the likelihood of purchase
times in weeks is that in days plus (sum of x) ln 7 (each purchase's density scales by 7).
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from _dbt import dbt

from segmentation.value import conditional_expected_purchases, fit_bg_nbd, fit_gamma_gamma

pytestmark = [pytest.mark.real_data, pytest.mark.slow]

CDNOW_FILE = Path(__file__).resolve().parents[3] / "shared" / "data" / "cdnow_sample.txt"
#: Price a CD of the $0.00 lines gets, so that the paper's purchase is not rejected.
NOMINAL_PRICE = 0.01
CALIBRATION_AS_OF = "1997-10-01"
DAYS_PER_WEEK = 7


def significant(value: float, digits: int = 3) -> float:
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


@pytest.fixture
def cdnow_raw_file(tmp_path) -> Path:
    """The CDNOW sample in the Online Retail schema, as a Parquet raw file."""
    if not CDNOW_FILE.exists():
        pytest.skip(f"CDNOW sample absent: {CDNOW_FILE}")
    sample = pd.read_csv(
        CDNOW_FILE,
        sep=r"\s+",
        header=None,
        names=["full_id", "customer_id", "date", "cds", "dollars"],
        dtype={"date": str},
    )
    assert (sample["cds"] > 0).all()
    price = np.where(sample["dollars"] > 0, sample["dollars"] / sample["cds"], NOMINAL_PRICE)
    raw = pd.DataFrame(
        {
            "InvoiceNo": [str(line) for line in range(1, len(sample) + 1)],
            "StockCode": "CD",
            "Description": "CD",
            "Quantity": sample["cds"].astype("int64"),
            "InvoiceDate": pd.to_datetime(sample["date"], format="%Y%m%d"),
            "UnitPrice": price,
            "CustomerID": sample["customer_id"].astype("int64"),
            "Country": "United States",
        }
    )
    path = tmp_path / "cdnow.parquet"
    raw.to_parquet(path, index=False)
    return path


def test_published_cdnow_estimates(cdnow_raw_file, tmp_path):
    # given the CDNOW sample built through the project's SQL at the end of week 39
    run = dbt(
        "build",
        tmp_path,
        {"raw_data_path": str(cdnow_raw_file), "rfm_as_of_date": CALIBRATION_AS_OF},
        select="+int_customers_purchase_summary",
    )
    assert run.returncode == 0, run.output
    with duckdb.connect(str(run.warehouse), read_only=True) as connection:
        summary = connection.sql(
            "select * from intermediate.int_customers_purchase_summary order by customer_id"
        ).df()
        zero_dollar_days_repeat = connection.execute(
            f"""
            select count(*)
            from read_parquet('{cdnow_raw_file}') as raw
            inner join intermediate.int_customers_purchase_summary as summary
                on raw.CustomerID = summary.customer_id
            where raw.UnitPrice = {NOMINAL_PRICE}
                and cast(raw.InvoiceDate as date) > summary.first_purchase_date
            """
        ).fetchone()[0]
    assert len(summary) == 2357
    assert zero_dollar_days_repeat == 0

    # when BG/NBD and Gamma-Gamma are fitted by the package
    purchases = fit_bg_nbd(summary)
    value = fit_gamma_gamma(summary)

    # then the BG/NBD estimates are the paper's (alpha and the likelihood in weeks)
    assert purchases.status == "converged", purchases.message
    assert purchases.customers == 2357
    weeks = {
        "r": purchases["r"],
        "alpha": purchases["alpha"] / DAYS_PER_WEEK,
        "a": purchases["a"],
        "b": purchases["b"],
    }
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert {name: significant(v) for name, v in weeks.items()} == {
        name: significant(v) for name, v in published.items()
    }
    log_likelihood_weeks = purchases.log_likelihood + summary["repeat_purchases"].sum() * math.log(
        DAYS_PER_WEEK
    )
    assert round(log_likelihood_weeks, 1) == -9582.4

    # and the paper's worked example: x = 2, t_x = 30.43, T = 38.86 weeks -> 1.226 purchases
    # in the next 39 weeks
    example = conditional_expected_purchases(
        purchases, 39 * DAYS_PER_WEEK, 2, 30.43 * DAYS_PER_WEEK, 38.86 * DAYS_PER_WEEK
    )
    assert round(float(example), 3) == 1.226

    # and the Gamma-Gamma estimates are the note's, on the 946 repeat customers
    assert value.status == "converged", value.message
    assert value.customers == 946
    assert {name: significant(v) for name, v in value.parameters.items()} == {
        "p": 6.25,
        "q": 3.74,
        "gamma": significant(15.44),
    }
