"""bench/calibration.py: the same statistics of the real file and of a synthetic one."""

from __future__ import annotations

import pandas as pd
import pytest
from calibration import calibration_table, file_statistics, non_product_stock_codes
from conftest import ONLINE_RETAIL_HEADER

from segmentation.ingest.synthetic import generate


def test_non_product_codes_come_from_the_seed():
    codes = non_product_stock_codes()
    assert {"POST", "DOT", "BANK CHARGES", "B"} <= set(codes)
    assert len(codes) == len(set(codes))


def test_file_statistics_count_the_seed_codes_as_non_product(tmp_path):
    # given four lines, one of them postage written in lower case
    rows = [
        ("536365", code, "ITEM", 1, pd.Timestamp("2010-12-01 08:26"), price, 17850, "France")
        for code, price in (("85123A", 2.55), ("post", 18.0), ("22633", 0.0), ("84029G", 3.39))
    ]
    path = tmp_path / "four.parquet"
    pd.DataFrame(rows, columns=ONLINE_RETAIL_HEADER).to_parquet(path, index=False)
    # when its statistics are measured
    stats = file_statistics(path)
    # then the postage line counts as non-product and the free line as zero price
    assert stats["n_lines"] == 4
    assert stats["share_non_product_lines"] == 0.25
    assert stats["share_zero_price"] == 0.25


@pytest.mark.real_data
def test_calibration_table_compares_real_and_synthetic(real_data_file, tmp_path):
    synthetic = generate(tmp_path / "medium.parquet", 200_000, 1_600, seed=7, progress=False)
    table = calibration_table(real_data_file, synthetic)
    assert list(table.columns) == ["statistic", "real", "synthetic", "ratio"]
    rows = table.set_index("statistic")
    assert rows.loc["n_lines", "real"] == 541_909
    assert rows.loc["n_lines", "synthetic"] == 200_000
    assert rows.loc["share_missing_customer", "ratio"] == pytest.approx(1.0, abs=0.1)
    assert rows.loc["share_lines_november", "ratio"] == pytest.approx(1.0, abs=0.1)
