"""The backtest on the real Online Retail file: sanity that a working model and segmentation
must pass (skipped with a reason where ../shared/data/online_retail.parquet is absent).

Given the real file, when dbt builds the backtest marts at the default cutoff (the last 90
days are the holdout), then

- both value models converged at the cutoff;
- the tenth of customers predicted to be worth most in the holdout brought more than a tenth
  of its revenue (what a random tenth brings on average), and more per customer than the
  tenth predicted to be worth least;
- in every method, the best segment at the cutoff (Champions; rule-based: champions) had a
  larger share of holdout buyers than the lowest (Low-Value / One-Time Buyers; rule-based:
  hibernating): the best segment is defined by recent, frequent buying, which is what a
  repeat purchase model takes as the sign of a customer still buying.

Accuracy itself is not asserted: the holdout (September to December) holds the Christmas
season, which a stationary purchase model cannot foresee; the figures are in
docs/decisions.md.
"""

from __future__ import annotations

import pytest
from _dbt import dbt

pytestmark = [pytest.mark.real_data, pytest.mark.slow]

BACKTEST_MARTS = "+rpt_clv_backtest +rpt_clv_backtest_tracking +rpt_segment_holdout_lift"
#: The best and the lowest segment of each method.
BEST_AND_LOWEST = {
    "rule_based": ("champions", "hibernating"),
    "kmeans": ("Champions", "Low-Value / One-Time Buyers"),
    "agglomerative": ("Champions", "Low-Value / One-Time Buyers"),
    "gmm": ("Champions", "Low-Value / One-Time Buyers"),
}


@pytest.fixture(scope="module")
def backtest(tmp_path_factory):
    from conftest import REAL_DATA_FILE

    if not REAL_DATA_FILE.exists():
        pytest.skip(f"real data file absent: {REAL_DATA_FILE}")
    run = dbt(
        "build",
        tmp_path_factory.mktemp("backtest"),
        {"raw_data_path": str(REAL_DATA_FILE)},
        select=BACKTEST_MARTS,
    )
    assert run.returncode == 0, run.output
    return run


def test_both_models_converged_at_the_cutoff(backtest):
    statuses = backtest.query(
        "select distinct bg_nbd_status, gamma_gamma_status from marts.rpt_clv_backtest"
    )
    assert statuses == [("converged", "converged")]


def test_the_top_predicted_decile_brings_more_than_its_share(backtest):
    rows = dict(
        backtest.query(
            "select predicted_value_decile, holdout_revenue_share / customers "
            "from marts.rpt_clv_backtest where customer_group = 'decile'"
        )
    )
    top_share = backtest.query(
        "select holdout_revenue_share from marts.rpt_clv_backtest where predicted_value_decile = 1"
    )[0][0]
    assert top_share > 0.1
    assert rows[1] > rows[10]


def test_best_segments_rebuy_more_than_the_lowest(backtest):
    shares = {
        (method, segment): share
        for method, segment, share in backtest.query(
            "select method, segment, holdout_buyer_share from marts.rpt_segment_holdout_lift"
        )
    }
    for method, (best, lowest) in BEST_AND_LOWEST.items():
        assert shares[(method, best)] > shares[(method, lowest)], method
