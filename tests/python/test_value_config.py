"""The value models' configuration: one name and one default per setting, checked once.

The dbt side holds two copies that cannot import Python - the vars' defaults in
dbt_project.yml and the anchor that passes them to the models - so each is tested against
ValueModelConfig here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from segmentation.value import DEFAULT_VALUE_CONFIG, ValueModelConfig, ValueModelInputError

REPO_ROOT = Path(__file__).resolve().parents[2]
VALUE_MODELS = REPO_ROOT / "models" / "intermediate" / "value"


def _project_vars() -> dict:
    return yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"]


def test_every_var_setting_is_a_dbt_var_with_the_same_default():
    # given the vars block of dbt_project.yml
    project_vars = _project_vars()
    names = ValueModelConfig.dbt_var_names()
    # then every setting that is a var is declared there
    assert set(names) <= set(project_vars), set(names) - set(project_vars)
    # and its default there is the dataclass default
    from_yml = ValueModelConfig.from_vars({name: project_vars[name] for name in names})
    assert from_yml == DEFAULT_VALUE_CONFIG


def test_every_python_model_that_reads_settings_gets_every_var():
    # given the models' yml (anchors resolved) and the Python models that read the config
    properties = yaml.safe_load((VALUE_MODELS / "_value__models.yml").read_text())
    meta = {
        model["name"]: model.get("config", {}).get("meta", {}) for model in properties["models"]
    }
    readers = [
        path.stem
        for path in sorted(VALUE_MODELS.glob("*.py"))
        if 'meta_get("value_models")' in path.read_text()
    ]
    expected = {name: f"{{{{ var('{name}') }}}}" for name in ValueModelConfig.dbt_var_names()}
    # then each of them passes every var, under its own name, and nothing else
    assert readers
    for model in readers:
        assert meta[model].get("value_models") == expected, model


def test_rendered_vars_are_converted_once_to_typed_settings():
    config = ValueModelConfig.from_vars(
        {
            "value_model_max_fit_customers": "5000",
            "random_state": "7",
            "churn_risk_high_below": "0.2",
            "churn_risk_medium_below": 0.5,
        }
    )
    assert config.value_model_max_fit_customers == 5000 and config.random_state == 7
    assert (config.churn_risk_high_below, config.churn_risk_medium_below) == (0.2, 0.5)
    assert config.clv_discount_rate_monthly == DEFAULT_VALUE_CONFIG.clv_discount_rate_monthly


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"churn_risk_high_below": 0.7, "churn_risk_medium_below": 0.3},
            r"var churn_risk_medium_below must be a number in \[0, 1\] above "
            r"churn_risk_high_below, got 0.3 \(churn_risk_high_below=0.7\)",
        ),
        ({"churn_risk_medium_below": 0.3}, "above churn_risk_high_below"),
        ({"churn_risk_high_below": "-0.1"}, r"var churn_risk_high_below must be a number in"),
        ({"churn_risk_medium_below": "1.5"}, r"var churn_risk_medium_below must be a number"),
        ({"churn_risk_high_below": "high"}, r"var churn_risk_high_below must be a number"),
        ({"value_model_max_fit_customers": 1}, "var value_model_max_fit_customers must be"),
        ({"random_state": -1}, "var random_state must be an integer in 0..4294967295"),
        ({"clv_horizon_days": 0}, "setting clv_horizon_days must be an integer >= 1"),
    ],
)
def test_a_bad_value_names_the_setting_and_what_it_accepts(values, message):
    with pytest.raises(ValueModelInputError, match=message):
        ValueModelConfig.from_vars(values)
