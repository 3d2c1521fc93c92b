"""Scaling: MinMax after an optional log1p, parameters persisted and reproducible by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _clustering_frames import rfm_customers

from segmentation.clustering import (
    ClusteringConfig,
    ClusteringInputError,
    apply_feature_scaling,
    fit_feature_scaling,
    scale_features,
)


def test_default_fit_log_transforms_frequency_and_monetary_only():
    # given customers with known extremes
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "recency_days": [0, 10, 100],
            "frequency": [1, 3, 9],
            "monetary": [10.0, 100.0, 1000.0],
        }
    )
    # when the scaler is fitted with the default
    params = fit_feature_scaling(customers).set_index("feature")
    # then frequency and monetary are log1p'd and their extremes are those of log1p(x)
    assert params["transform"].to_dict() == {
        "recency_days": "none",
        "frequency": "log1p",
        "monetary": "log1p",
    }
    assert params.at["recency_days", "fitted_max"] == 100
    assert params.at["frequency", "fitted_min"] == pytest.approx(np.log1p(1))
    assert params.at["monetary", "fitted_max"] == pytest.approx(np.log1p(1000))


def test_scaled_values_are_reproducible_by_hand_from_the_parameters():
    # given a fitted scaler
    customers = rfm_customers()
    params = fit_feature_scaling(customers).set_index("feature")
    # when customers are scaled
    scaled = apply_feature_scaling(customers, params.reset_index())
    # then each value equals (t(x) - min) / (max - min) computed by hand
    row = scaled.iloc[7]
    low, high = params.at["monetary", "fitted_min"], params.at["monetary", "fitted_max"]
    by_hand = (np.log1p(row["monetary"]) - low) / (high - low)
    assert row["monetary_scaled"] == pytest.approx(by_hand, abs=1e-12)
    low, high = params.at["recency_days", "fitted_min"], params.at["recency_days", "fitted_max"]
    assert row["recency_scaled"] == pytest.approx((row["recency_days"] - low) / (high - low))


def test_scaled_features_span_exactly_zero_to_one():
    scaled = scale_features(rfm_customers())
    for column in ("recency_scaled", "frequency_scaled", "monetary_scaled"):
        assert scaled[column].min() == pytest.approx(0.0)
        assert scaled[column].max() == pytest.approx(1.0)


def test_log_transform_can_be_switched_off_with_the_string_dbt_renders():
    config = ClusteringConfig.from_vars({"rfm_log_transform": "false"})
    params = fit_feature_scaling(rfm_customers(), config)
    assert set(params["transform"]) == {"none"}


def test_log_transform_can_name_the_features():
    config = ClusteringConfig.from_vars({"rfm_log_transform": "monetary"})
    params = fit_feature_scaling(rfm_customers(), config).set_index("feature")
    assert params["transform"].to_dict() == {
        "recency_days": "none",
        "frequency": "none",
        "monetary": "log1p",
    }


def test_constant_feature_scales_to_zero_instead_of_dividing_by_zero():
    customers = pd.DataFrame(
        {"customer_id": [1, 2], "recency_days": [5, 5], "frequency": [1, 2], "monetary": [1.0, 2.0]}
    )
    scaled = scale_features(customers)
    assert scaled["recency_scaled"].tolist() == [0.0, 0.0]


def test_output_does_not_depend_on_input_row_order():
    customers = rfm_customers()
    shuffled = customers.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(scale_features(customers), scale_features(shuffled))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="monetary"), "missing column"),
        (
            lambda f: f.assign(frequency=f["frequency"].astype("float").where(f.index > 0)),
            "'frequency' must be a finite number",
        ),
        (lambda f: f.assign(customer_id=1), "must be unique"),
        (lambda f: f.assign(monetary=-f["monetary"]), "negative values"),
    ],
)
def test_bad_input_is_rejected_with_a_message_naming_the_column(change, message):
    with pytest.raises(ClusteringInputError, match=message):
        scale_features(change(rfm_customers()))


def test_unknown_feature_in_log_transform_is_rejected():
    with pytest.raises(ClusteringInputError, match=r"rfm_log_transform .*'basket_size'"):
        ClusteringConfig.from_vars({"rfm_log_transform": ["basket_size"]})
