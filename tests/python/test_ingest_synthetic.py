"""Synthetic Online Retail generator (segmentation.ingest.synthetic).

Its statistics are measured with bench/calibration.py, the tool that compares it with the
real file.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from calibration import file_statistics, non_product_stock_codes

from segmentation.ingest.synthetic import NON_PRODUCT_CODES, SCHEMA, TARGETS, generate


@pytest.fixture(scope="module")
def medium_file(tmp_path_factory):
    """~200k lines, the size at which the line shares should sit near their targets."""
    path = tmp_path_factory.mktemp("synthetic") / "medium.parquet"
    return generate(path, n_lines=200_000, n_customers=1_600, seed=7, progress=False)


def test_writes_exact_line_count_with_reference_schema(tmp_path):
    path = generate(tmp_path / "s.parquet", n_lines=12_345, n_customers=100, progress=False)
    parquet = pq.ParquetFile(path)
    assert parquet.metadata.num_rows == 12_345
    assert parquet.schema_arrow.equals(SCHEMA)
    assert [p.name for p in tmp_path.iterdir()] == ["s.parquet"]  # no temporary leftovers


def test_same_seed_gives_identical_bytes(tmp_path):
    first = generate(tmp_path / "a.parquet", n_lines=20_000, n_customers=200, progress=False)
    second = generate(tmp_path / "b.parquet", n_lines=20_000, n_customers=200, progress=False)
    assert first.read_bytes() == second.read_bytes()


def test_different_seed_gives_different_content(tmp_path):
    first, second = (
        generate(tmp_path / f"{seed}.parquet", 20_000, 200, seed=seed, progress=False)
        for seed in (1, 2)
    )
    assert not pd.read_parquet(first).equals(pd.read_parquet(second))


def test_chunk_lines_changes_row_groups_not_content(tmp_path):
    # given the same file written in one chunk and in chunks of ~3,000 lines
    whole, chunked = (
        generate(tmp_path / f"{chunk}.parquet", 30_000, 300, chunk_lines=chunk, progress=False)
        for chunk in (1_000_000, 3_000)
    )
    # then memory was bounded by small row groups (none larger than chunk + one day) ...
    groups = pq.ParquetFile(chunked).metadata
    assert pq.ParquetFile(whole).metadata.num_row_groups == 1
    assert groups.num_row_groups >= 9
    largest_day = 30_000 * 0.02  # the busiest day holds well under 2% of the lines
    sizes = [groups.row_group(i).num_rows for i in range(groups.num_row_groups)]
    assert max(sizes) < 3_000 + largest_day
    # ... and the rows are identical
    pd.testing.assert_frame_equal(pd.read_parquet(whole), pd.read_parquet(chunked))


@pytest.fixture(scope="module")
def medium_statistics(medium_file):
    return file_statistics(medium_file)


@pytest.mark.parametrize(
    ("share", "tolerance"),
    [
        ("share_missing_customer", 0.02),
        ("share_cancellation_lines", 0.002),
        ("share_duplicate_rows", 0.0015),
        ("share_non_product_lines", 0.001),
        ("share_zero_price", 0.001),
        ("share_lines_november", 0.01),
    ],
)
def test_line_shares_are_near_their_targets(medium_statistics, share, tolerance):
    assert medium_statistics[share] == pytest.approx(TARGETS[share], abs=tolerance)


def test_generator_writes_exactly_the_non_product_codes_of_the_seed():
    # The seed is the rule and the generator mimics the real file, so each keeps its own list;
    # they must name the same codes, or the synthetic file tests a rule the real one does not.
    assert sorted(NON_PRODUCT_CODES) == sorted(non_product_stock_codes())


def test_shape_of_invoices_customers_and_calendar(medium_statistics):
    stats = medium_statistics
    assert stats["first_day"] == "2010-12-01"
    assert stats["last_day"] == "2011-12-09"
    assert stats["distinct_countries"] >= 35
    assert 15 <= stats["lines_per_invoice_mean"] <= 27
    # heavy tails: the top 1% of customers buy far more often / spend far more than the median
    assert stats["invoices_per_customer_p99"] >= 8 * stats["invoices_per_customer_p50"]
    assert stats["revenue_per_customer_p99"] >= 15 * stats["revenue_per_customer_p50"]


def test_row_level_rules(medium_file):
    con = duckdb.connect()
    con.sql(f"create view s as select * from read_parquet('{medium_file}')")

    def one(sql):
        return con.execute(sql).fetchone()[0]

    # invoice numbers: 6 digits, C for cancellations (negative quantity), A for bad debt
    assert one("select count(*) from s where not regexp_matches(InvoiceNo, '^[CA]?[0-9]{6}$')") == 0
    assert one("select count(*) from s where InvoiceNo like 'C%' and Quantity >= 0") == 0
    assert one("select count(*) from s where InvoiceNo like 'C%'") > 0
    # minute precision, trading hours, no Saturdays
    assert one("select count(*) from s where second(InvoiceDate) <> 0") == 0
    assert one("select count(*) from s where dayofweek(InvoiceDate) = 6") == 0
    # one customer and one country per invoice; the UK dominates
    mixed = "count(distinct CustomerID) > 1 or count(distinct Country) > 1"
    assert one(f"select count(*) from (select InvoiceNo from s group by 1 having {mixed})") == 0
    assert one("select avg((Country = 'United Kingdom')::int) from s") > 0.8
    # November is the busiest month
    assert one("select month(InvoiceDate) from s group by 1 order by count(*) desc limit 1") == 11
    # a catalogue of a few thousand products with descriptions
    assert 2_000 <= one("select count(distinct StockCode) from s") <= 4_500
    assert one("select count(*) from s where Description is null and UnitPrice <> 0") == 0


def test_tiny_file_with_many_customers_still_works(tmp_path):
    path = generate(tmp_path / "tiny.parquet", n_lines=500, n_customers=10_000, progress=False)
    frame = pd.read_parquet(path)
    assert len(frame) == 500
    assert frame["CustomerID"].nunique() <= 500


def test_invalid_sizes_are_refused(tmp_path):
    with pytest.raises(ValueError, match="chunk_lines"):
        generate(tmp_path / "x.parquet", n_lines=10, chunk_lines=0, progress=False)
