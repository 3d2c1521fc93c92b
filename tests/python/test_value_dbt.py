"""The value marts and the control group, built by dbt.

Given small raw files - synthetic, tiny, without repeat buyers - when dbt builds the value
marts, then the build passes whatever the fits' statuses and the marts say why predictions
are missing; and the control group is the hash rule of the macro hex_fraction, the same
customers on every build, the configured share of the real file.
"""

from __future__ import annotations

import hashlib
import math

import duckdb
import pandas as pd
import pytest
from _dbt import SQL_MARTS, dbt

from segmentation.dbt_vars import project_vars
from segmentation.ingest.synthetic import generate
from segmentation.value import ModelFit, expected_purchases

pytestmark = pytest.mark.slow

VALUE_MARTS = "+dim_customer_predictions +rpt_clv_model_parameters"


def control_draw(customer_id: int, salt: str) -> float:
    """The control-group draw by its definition: md5 of 'id|salt', first 8 hex digits."""
    digest = hashlib.md5(f"{customer_id}|{salt}".encode()).hexdigest()
    return int(digest[:8], 16) / 16**8


def raw_lines(purchases: list[tuple[int, str]]) -> pd.DataFrame:
    """One valid line per (customer, day) in the Online Retail schema."""
    return pd.DataFrame(
        {
            "InvoiceNo": [str(536000 + i) for i in range(len(purchases))],
            "StockCode": "85123A",
            "Description": "WHITE HANGING HEART T-LIGHT HOLDER",
            "Quantity": 2,
            "InvoiceDate": pd.to_datetime([day for _, day in purchases]) + pd.Timedelta(hours=10),
            "UnitPrice": 2.55,
            "CustomerID": [customer for customer, _ in purchases],
            "Country": "United Kingdom",
        }
    )


def control_flags(run) -> dict[int, tuple[float, bool]]:
    rows = run.query(
        "select customer_id, control_group_draw, is_control_group "
        "from marts.dim_customer_control_group"
    )
    return {customer: (draw, flag) for customer, draw, flag in rows}


# --- Control group -------------------------------------------------------------------------


def test_control_group_is_the_hash_rule_and_the_same_on_every_build(tmp_path):
    # given a synthetic raw file, and the same file without half of its customers
    data = generate(tmp_path / "raw.parquet", n_lines=3_000, n_customers=80, progress=False)
    lines = pd.read_parquet(data)
    customers = sorted(lines["CustomerID"].dropna().unique())
    half = lines[~lines["CustomerID"].isin(customers[::2])]
    half.to_parquet(tmp_path / "half.parquet", index=False)
    # when the control group is built from each
    first = dbt("build", tmp_path / "a", {"raw_data_path": str(data)},
                select="+dim_customer_control_group")  # fmt: skip
    second = dbt("build", tmp_path / "b", {"raw_data_path": str(tmp_path / "half.parquet")},
                 select="+dim_customer_control_group")  # fmt: skip
    assert first.returncode == 0, first.output[-3000:]
    assert second.returncode == 0, second.output[-3000:]
    flags, again = control_flags(first), control_flags(second)
    # then a customer's flag does not depend on the build or on the other customers
    assert again and set(again) < set(flags)
    assert all(again[customer] == flags[customer] for customer in again)
    # and each draw is md5('id|salt') read as a fraction, the flag the draw below the share
    salt, share = project_vars()["control_group_salt"], project_vars()["control_group_share"]
    for customer, (draw, flag) in flags.items():
        assert draw == pytest.approx(control_draw(customer, salt), abs=1e-12), customer
        assert flag == (draw < share), customer


def test_another_salt_draws_another_group(tmp_path):
    data = generate(tmp_path / "raw.parquet", n_lines=3_000, n_customers=80, progress=False)
    run = dbt("build", tmp_path / "w",
              {"raw_data_path": str(data), "control_group_salt": "spring-2012",
               "control_group_share": 0.5},
              select="+dim_customer_control_group")  # fmt: skip
    assert run.returncode == 0, run.output[-3000:]
    flags = control_flags(run)
    assert all(
        draw == pytest.approx(control_draw(customer, "spring-2012"), abs=1e-12)
        and flag == (draw < 0.5)
        for customer, (draw, flag) in flags.items()
    )
    assert 0 < sum(flag for _, flag in flags.values()) < len(flags)


@pytest.mark.parametrize(
    ("control_vars", "message"),
    [
        ({"control_group_share": 1.5}, "var control_group_share must be a number in [0, 1]"),
        ({"control_group_share": "ten"}, "var control_group_share must be a number in [0, 1]"),
        ({"control_group_salt": " "}, "var control_group_salt must be a non-empty text"),
    ],
)
def test_a_bad_control_group_var_stops_the_build_with_its_name(tmp_path, control_vars, message):
    run = dbt("compile", tmp_path, {"raw_data_path": "unused.parquet", **control_vars},
              select="dim_customer_control_group")  # fmt: skip
    assert run.returncode != 0
    assert message in run.output


@pytest.mark.real_data
def test_control_group_share_on_the_real_file(real_data_file, tmp_path):
    # given the real file's customers in the SQL half of the project
    run = dbt("build", tmp_path, {"raw_data_path": str(real_data_file)}, selector=SQL_MARTS)
    assert run.returncode == 0, run.output[-3000:]
    ((customers, control),) = run.query(
        "select count(*), count(case when is_control_group then 1 end) "
        "from marts.dim_customer_control_group"
    )
    # then the control share is the var's, within four binomial standard deviations
    share = project_vars()["control_group_share"]
    tolerance = 4 * math.sqrt(customers * share * (1 - share))
    assert customers == run.query("select count(*) from marts.dim_customers")[0][0]
    assert abs(control - customers * share) <= tolerance, (control, customers)


# --- Fits that cannot be used keep the build green --------------------------------------------


def value_marts(run) -> tuple[dict, pd.DataFrame, int]:
    statuses = dict(run.query("select distinct model, status from marts.rpt_clv_model_parameters"))
    with run_connection(run) as connection:
        predictions = connection.sql("select * from marts.dim_customer_predictions").df()
    customers = run.query("select count(*) from marts.dim_customers")[0][0]
    return statuses, predictions, customers


def run_connection(run) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(run.warehouse), read_only=True)


PREDICTED = ["p_alive", "expected_purchases_90d", "expected_purchases_365d",
             "expected_average_order_value", "predicted_clv_365d", "churn_risk",
             "expected_next_purchase_date"]  # fmt: skip


@pytest.mark.parametrize(
    ("purchases", "expected"),
    [
        # five customers, three of whom came back: too few to fit either model
        (
            [(1, "2011-01-05"), (1, "2011-03-01"), (2, "2011-02-01"), (2, "2011-06-01"),
             (3, "2011-04-01"), (3, "2011-04-20"), (4, "2011-05-01"), (5, "2011-07-01")],
            {"bg_nbd": "too_few_customers", "gamma_gamma": "too_few_customers"},
        ),
        # thirty customers who never came back
        (
            [(customer, f"2011-{1 + customer % 12:02d}-10") for customer in range(1, 31)],
            {"bg_nbd": "no_repeat_buyers", "gamma_gamma": "too_few_customers"},
        ),
    ],
    ids=["tiny", "no_repeat_buyers"],
)  # fmt: skip
def test_unusable_fits_leave_predictions_null_and_the_build_green(tmp_path, purchases, expected):
    # given a raw file on which the models cannot be fitted
    raw = tmp_path / "raw.parquet"
    raw_lines(purchases).to_parquet(raw, index=False)
    # when the value marts are built
    run = dbt("build", tmp_path / "w", {"raw_data_path": str(raw)}, select=VALUE_MARTS)
    # then the build passes, its tests included
    assert run.returncode == 0, run.output[-3000:]
    statuses, predictions, customers = value_marts(run)
    # and the parameters say why, every customer has a row, and no prediction is made
    assert statuses == expected
    assert len(predictions) == customers == len({customer for customer, _ in purchases})
    assert predictions[PREDICTED].isna().all().all()
    assert (predictions["bg_nbd_status"] == expected["bg_nbd"]).all()


@pytest.mark.real_data
def test_value_models_fit_the_real_file(real_data_file, tmp_path):
    # given the value marts built from the real file
    run = dbt("build", tmp_path, {"raw_data_path": str(real_data_file)}, select=VALUE_MARTS)
    assert run.returncode == 0, run.output[-3000:]
    statuses, predictions, customers = value_marts(run)
    # then both models converged and every customer is predicted
    assert statuses == {"bg_nbd": "converged", "gamma_gamma": "converged"}
    assert len(predictions) == customers and predictions["p_alive"].notna().all()
    with run_connection(run) as connection:
        summary = connection.sql("select * from intermediate.int_customers_purchase_summary").df()
        estimates = dict(
            connection.sql(
                "select parameter, estimate from marts.rpt_clv_model_parameters"
            ).fetchall()
        )
    fit = ModelFit("bg_nbd", {k: estimates[k] for k in ("r", "alpha", "a", "b")}, 0, 0,
                   "converged", "")  # fmt: skip
    # and BG/NBD expects, over each customer's own observed period, about the repeat
    # purchases they made (the in-sample check of the BG/NBD paper; 7% short on this file)
    expected = expected_purchases(fit, summary["first_purchase_to_period_end_days"]).sum()
    assert expected == pytest.approx(summary["repeat_purchases"].sum(), rel=0.1)
    # and Gamma-Gamma's population mean spend per purchase day is near the repeat buyers'
    mean_spend = estimates["gamma"] * estimates["p"] / (estimates["q"] - 1)
    assert mean_spend == pytest.approx(summary["mean_repeat_purchase_value"].mean(), rel=0.25)
