"""The clustering configuration: one name and one default per setting, checked once.

The dbt side holds three copies that cannot import Python - the vars' defaults in
dbt_project.yml, the anchor that passes them to the models and the macro listing the
methods - so each is tested against the Python definition here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from segmentation.clustering import (
    AUTO,
    DEFAULT_CONFIG,
    METHODS,
    ClusteringConfig,
    ClusteringInputError,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
CLUSTERING_MODELS = REPO_ROOT / "models" / "intermediate" / "clustering"


def _project_vars() -> dict:
    return yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"]


def test_every_var_setting_is_a_dbt_var_with_the_same_default():
    # given the vars block of dbt_project.yml
    project_vars = _project_vars()
    names = ClusteringConfig.dbt_var_names()
    # then every setting that is a var is declared there
    assert set(names) <= set(project_vars), set(names) - set(project_vars)
    # and its default there is the dataclass default
    from_yml = ClusteringConfig.from_vars({name: project_vars[name] for name in names})
    assert from_yml == DEFAULT_CONFIG


def test_every_python_model_that_reads_settings_gets_every_var():
    # given the models' yml (anchors resolved) and the Python models that read the config
    properties = yaml.safe_load((CLUSTERING_MODELS / "_clustering__models.yml").read_text())
    meta = {
        model["name"]: model.get("config", {}).get("meta", {}) for model in properties["models"]
    }
    readers = [
        path.stem
        for path in sorted(CLUSTERING_MODELS.glob("*.py"))
        if 'meta_get("clustering")' in path.read_text()
    ]
    expected = {name: f"{{{{ var('{name}') }}}}" for name in ClusteringConfig.dbt_var_names()}
    # then each of them passes every var, under its own name, and nothing else
    assert readers
    for model in readers:
        assert meta[model].get("clustering") == expected, model


def test_the_sql_list_of_methods_is_the_python_one():
    macro = (REPO_ROOT / "macros" / "clustering" / "clustering_methods.sql").read_text()
    listed = re.search(r"return\((\[.*?\])\)", macro, flags=re.DOTALL)
    assert listed is not None
    assert tuple(ast.literal_eval(listed.group(1))) == METHODS


def test_rendered_vars_are_converted_once_to_typed_settings():
    # given what dbt renders: YAML scalars, or strings for vars given as text
    config = ClusteringConfig.from_vars(
        {
            "n_segments": " Auto ",
            "k_min": "3",
            "k_max": 8,
            "rfm_log_transform": "false",
            "agglomerative_max_fit_customers": "500",
            "random_state": "7",
            "gmm_covariance_type": "diag",
        }
    )
    # then each setting has its type
    assert config.n_segments == AUTO
    assert (config.k_min, config.k_max) == (3, 8)
    assert config.rfm_log_transform is False and config.log_features == frozenset()
    assert config.agglomerative_max_fit_customers == 500
    assert config.random_state == 7
    assert config.gmm_covariance_type == "diag"
    # and the settings not given keep their one default
    assert config.silhouette_sample_size == DEFAULT_CONFIG.silhouette_sample_size


def test_the_default_log_transform_is_frequency_and_monetary():
    assert DEFAULT_CONFIG.log_features == frozenset({"frequency", "monetary"})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"k_min": "two"}, "var k_min must be an integer >= 2, got 'two'"),
        ({"k_min": 1}, "var k_min must be an integer >= 2, got 1"),
        ({"k_min": 5, "k_max": 4}, "var k_max must be an integer >= k_min"),
        (
            {"n_segments": 12},
            r"n_segments must be an integer in k_min..k_max.*\(k_min=2, k_max=10\)",
        ),
        ({"random_state": -1}, "var random_state must be an integer in 0..4294967295"),
        ({"silhouette_sample_size": True}, "var silhouette_sample_size must be an integer"),
        ({"gmm_covariance_type": "banded"}, r"one of \['full', 'tied', 'diag', 'spherical'\]"),
        ({"kmeans_n_init": 0}, "setting kmeans_n_init must be an integer >= 1"),
        ({"lower_k_to_fit": "maybe"}, "setting lower_k_to_fit must be true or false"),
        ({"n_clusters": 4}, "unknown clustering setting 'n_clusters'"),
    ],
)
def test_a_bad_value_names_the_setting_and_what_it_accepts(values, message):
    with pytest.raises(ClusteringInputError, match=message):
        ClusteringConfig.from_vars(values)


def test_typed_construction_is_validated_too():
    with pytest.raises(ClusteringInputError, match="var n_segments"):
        ClusteringConfig(n_segments=1)
