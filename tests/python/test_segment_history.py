"""The segment history: backfilled RFM at every as-of date, clustered by today's models.

Given small frames, ``history_segments`` gives the rows at the fitted point the segments the
three clusterings gave, and a past row the segment of the same point today. Given a small
synthetic file, the incremental history adds nothing on a re-run, only the new months when the
file grows, and equals a full refresh; the grain var picks the as-of dates. Given the real
file, the history row of a customer at a date T equals dim_customers of a build with
rfm_as_of_date = T.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from _clustering_frames import rfm_customers
from _dbt import dbt

from segmentation.clustering import (
    HISTORY_SEGMENT_COLUMNS,
    METHODS,
    ClusteringConfig,
    ClusteringInputError,
    apply_feature_scaling,
    cut_and_assign,
    fit_feature_scaling,
    gmm_segments,
    history_segments,
    kmeans_segments,
    select_fit_sample,
    ward_merge_tree,
)
from segmentation.clustering import history as history_module
from segmentation.ingest.synthetic import generate

TODAY = dt.date(2011, 12, 10)
LAST_MONTH = dt.date(2011, 12, 1)
# a ward fit sample smaller than the customers, so that some go to the nearest centre
CONFIG = ClusteringConfig(agglomerative_max_fit_customers=25)


@pytest.fixture(scope="module")
def fitted() -> dict:
    """Customers, the scaler and the three clusterings fitted on them, as the build does."""
    customers = rfm_customers(per_group=10).drop(columns="true_group")
    scaling = fit_feature_scaling(customers, CONFIG)
    features = apply_feature_scaling(customers, scaling)
    sample = select_fit_sample(features, CONFIG)
    tree = ward_merge_tree(features, sample)
    return {
        "customers": customers,
        "scaling": scaling,
        "features": features,
        "kmeans": kmeans_segments(features, CONFIG),
        "agglomerative": cut_and_assign(features, sample, tree, CONFIG),
        "gmm": gmm_segments(features, CONFIG),
    }


def _segments(fitted: dict, history: pd.DataFrame) -> pd.DataFrame:
    return history_segments(
        history, fitted["features"], fitted["scaling"], fitted["agglomerative"], CONFIG
    )


def _today(fitted: dict) -> pd.DataFrame:
    return fitted["customers"].assign(as_of_date=TODAY)


def test_rows_at_the_fitted_point_keep_the_segments_of_the_three_clusterings(fitted):
    # given the customers' rows at the date the models were fitted on, and a month earlier
    # with other values
    earlier = fitted["customers"].assign(
        as_of_date=LAST_MONTH,
        recency_days=fitted["customers"]["recency_days"] + 40,
        frequency=(fitted["customers"]["frequency"] - 1).clip(lower=1),
    )
    history = pd.concat([earlier, _today(fitted)], ignore_index=True)
    # when the history is segmented
    segments = _segments(fitted, history)
    # then every row gets one segment per method, and today's rows those of the fits
    assert list(segments.columns) == list(HISTORY_SEGMENT_COLUMNS)
    assert len(segments) == len(history)
    today = segments[segments["as_of_date"] == TODAY].set_index("customer_id")
    for method in METHODS:
        fitted_ranks = fitted[method].set_index("customer_id")["segment_rank"]
        assert (today[f"{method}_segment_rank"] == fitted_ranks.loc[today.index]).all(), method
    # (ward's fit-sample customers among them, whose tree segment is kept)
    assert fitted["agglomerative"]["is_fit_sample"].sum() == CONFIG.agglomerative_max_fit_customers


def test_a_past_row_gets_the_segment_its_values_get_today(fitted):
    # given past rows that repeat, value for value, the current row of a customer outside
    # the ward fit sample
    outside = fitted["agglomerative"].loc[~fitted["agglomerative"]["is_fit_sample"]]
    donors = fitted["customers"].set_index("customer_id").loc[outside["customer_id"]]
    past = donors.reset_index().assign(
        customer_id=lambda frame: frame["customer_id"] + 1_000_000, as_of_date=LAST_MONTH
    )
    # when the past rows are segmented
    segments = _segments(fitted, past).set_index("customer_id")
    # then each gets its donor's segment in every method: the models, not the date, decide
    for method in METHODS:
        donor_ranks = fitted[method].set_index("customer_id")["segment_rank"]
        expected = donor_ranks.loc[segments.index - 1_000_000].to_numpy()
        assert (segments[f"{method}_segment_rank"].to_numpy() == expected).all(), method


def test_a_lapsed_one_time_buyer_is_low_value_in_every_method(fitted):
    # given a row far below every current customer: long gone, one small order
    row = pd.DataFrame(
        {
            "customer_id": [1],
            "as_of_date": [LAST_MONTH],
            "recency_days": [400],
            "frequency": [1],
            "monetary": [5.0],
        }
    )
    # when it is segmented, then every method calls it the lowest segment
    segments = _segments(fitted, row)
    for method in METHODS:
        assert segments[f"{method}_segment"].item() == "Low-Value / One-Time Buyers", method


def test_a_history_assigned_in_chunks_equals_one_assigned_whole(fitted, monkeypatch):
    # given a history of two dates whose customers' rows alternate between the dates, so
    # that every chunk mixes dates, fit-sample customers and the rest
    earlier = fitted["customers"].assign(
        as_of_date=LAST_MONTH, recency_days=fitted["customers"]["recency_days"] + 40
    )
    history = pd.concat([earlier, _today(fitted)], ignore_index=True).sort_values(
        ["customer_id", "as_of_date"], ignore_index=True
    )
    whole = _segments(fitted, history)
    # when the rows are assigned seven at a time (a chunk boundary splits customers)
    monkeypatch.setattr(history_module, "_CHUNK_ROWS", 7)
    chunked = _segments(fitted, history)
    # then every row gets the same segments, names included
    assert len(history) % 7 != 0
    pd.testing.assert_frame_equal(chunked, whole)


def test_an_empty_history_gives_an_empty_frame_with_the_columns(fitted):
    empty = _today(fitted).iloc[0:0]
    segments = _segments(fitted, empty)
    assert list(segments.columns) == list(HISTORY_SEGMENT_COLUMNS)
    assert segments.empty


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: pd.concat([h, h.iloc[:1]]), "one row per customer_id and as_of_date"),
        (lambda h: h.drop(columns="as_of_date"), "missing column"),
        (lambda h: h.assign(monetary=np.nan), "must be a finite number"),
    ],
)
def test_a_wrong_history_is_refused_with_a_message(fitted, change, message):
    with pytest.raises(ClusteringInputError, match=message):
        _segments(fitted, change(_today(fitted)))


# ----------------------------------------------------------------------------- dbt builds

HISTORY_MODELS = "+fct_customer_segment_history +dim_customers"
# seeds and models, without the data tests (make test runs those)
BUILD = "build --exclude-resource-type test --exclude-resource-type unit_test"


def _rows(run, sql: str) -> list[tuple]:
    return sorted(run.query(sql), key=repr)


def _history_dates(run) -> list[dt.date]:
    rows = run.query("select distinct as_of_date from intermediate.int_customers_rfm_history")
    return sorted(date for (date,) in rows)


@pytest.fixture(scope="module")
def synthetic_files(tmp_path_factory) -> tuple[Path, Path]:
    """A small synthetic file and the same file without its last two months."""
    folder = tmp_path_factory.mktemp("history_data")
    full = generate(folder / "full.parquet", n_lines=15_000, n_customers=300, progress=False)
    early = folder / "early.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * from read_parquet('{full}') where InvoiceDate < '2011-11-01') "
            f"to '{early}' (format parquet)"
        )
    return early, full


@pytest.mark.slow
def test_the_history_grows_by_new_months_only_and_equals_a_full_refresh(synthetic_files, tmp_path):
    early, full = synthetic_files
    work = tmp_path / "incremental"
    history_rows = "select * from intermediate.int_customers_rfm_history"
    # given a warehouse built from the file without its last two months
    first = dbt(BUILD, work, {"raw_data_path": str(early)}, select=HISTORY_MODELS)
    assert first.returncode == 0, first.output
    stored = _rows(first, history_rows)
    stored_dates = _history_dates(first)
    assert stored and stored_dates[-1] == dt.date(2011, 10, 1)
    # when it is built again from the same file, then nothing is added or changed
    again = dbt(BUILD, work, {"raw_data_path": str(early)}, select=HISTORY_MODELS)
    assert again.returncode == 0, again.output
    assert _rows(again, history_rows) == stored

    # when it is built from the whole file
    grown = dbt(BUILD, work, {"raw_data_path": str(full)}, select=HISTORY_MODELS)
    assert grown.returncode == 0, grown.output
    # then the stored rows are kept and only the two new month starts are added
    grown_rows = _rows(grown, history_rows)
    assert set(stored) <= set(grown_rows)
    assert _history_dates(grown) == [*stored_dates, dt.date(2011, 11, 1), dt.date(2011, 12, 1)]
    marts = {
        table: _rows(grown, f"select * from {table}")
        for table in ("marts.fct_customer_segment_history", "marts.dim_customers")
    }

    # and a full refresh of the same data gives the same history and marts
    refreshed = dbt(
        f"{BUILD} --full-refresh", work, {"raw_data_path": str(full)}, select=HISTORY_MODELS
    )
    assert refreshed.returncode == 0, refreshed.output
    assert _rows(refreshed, history_rows) == grown_rows
    for table, rows in marts.items():
        assert _rows(refreshed, f"select * from {table}") == rows, table


@pytest.mark.slow
def test_the_grain_var_sets_the_as_of_dates(synthetic_files, tmp_path):
    _, full = synthetic_files
    dates = "select as_of_date from intermediate.int_rfm_history_as_of_dates order by 1"
    select = "+int_rfm_history_as_of_dates"
    for grain, next_start in [
        ("quarter", lambda d: dt.date(d.year + d.month // 10, (d.month + 2) % 12 + 1, 1)),
        ("week", lambda d: d + dt.timedelta(days=7)),
    ]:
        # given the grain, when the as-of dates are built
        run = dbt(
            BUILD,
            tmp_path / grain,
            {"raw_data_path": str(full), "segment_history_grain": grain},
            select=select,
        )
        assert run.returncode == 0, run.output
        *starts, build_date = [date for (date,) in run.query(dates)]
        # then they are consecutive period starts, the build's own as-of date last
        assert len(starts) > 2 and build_date > starts[-1], (grain, starts)
        assert all(next_start(a) == b for a, b in itertools.pairwise(starts)), grain
        assert grain != "week" or starts[0].weekday() == 0
        assert grain != "quarter" or (starts[0].day, starts[0].month % 3) == (1, 1)
    # and an unknown grain stops the build with a message naming the allowed ones
    wrong = dbt(
        BUILD,
        tmp_path / "year",
        {"raw_data_path": str(full), "segment_history_grain": "year"},
        select=select,
    )
    assert wrong.returncode != 0
    assert "segment_history_grain must be one of month, quarter, week" in wrong.output


# ----------------------------------------------------------------------------- real file

POINT_IN_TIME_COLUMNS = (
    "customer_id, recency_days, frequency, monetary, monetary_net, r_score, f_score, "
    "m_score, rfm_cell, rfm_segment"
)


@pytest.mark.real_data
@pytest.mark.slow
def test_history_rows_equal_dim_customers_built_at_that_date(real_data_file, tmp_path):
    # given the history of a SQL-only build of the real file
    real = {"raw_data_path": str(real_data_file)}
    history = dbt(BUILD, tmp_path / "history", real, select="+dim_customers")
    assert history.returncode == 0, history.output
    for as_of_date in ("2011-03-01", "2011-07-01", "2011-12-01"):
        at_date = _rows(
            history,
            f"select {POINT_IN_TIME_COLUMNS} "
            "from intermediate.int_customers_rfm_scored_history "
            f"where as_of_date = '{as_of_date}'",
        )
        # when the SQL half is built with that date as the as-of date
        build = dbt(
            BUILD,
            tmp_path / as_of_date,
            {**real, "rfm_as_of_date": as_of_date},
            select="+dim_customers",
        )
        assert build.returncode == 0, build.output
        # then its dim_customers holds exactly the history's rows of that date
        customers = _rows(build, f"select {POINT_IN_TIME_COLUMNS} from marts.dim_customers")
        assert len(customers) > 500
        assert customers == at_date, as_of_date
