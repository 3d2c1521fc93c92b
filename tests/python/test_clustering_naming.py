"""Names follow the value rank of cluster centres, never the library's label ids."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _clustering_frames import scaled_customers

from segmentation.clustering import ClusteringInputError, segment_names, value_score
from segmentation.clustering.naming import named_assignment, rank_labels

SCALED = ["recency_scaled", "frequency_scaled", "monetary_scaled"]
DOCS = Path(__file__).resolve().parents[2] / "models/intermediate/clustering/_clustering__docs.md"


def _naming_rule_table() -> dict[str, list[str]]:
    """The names by rank of the docs block cluster_naming_rule: k -> cells of its row."""
    block = DOCS.read_text().split("{% docs cluster_naming_rule %}")[1].split("{% enddocs %}")[0]
    rows = [line.strip("|").split("|") for line in block.splitlines() if line.startswith("| ")]
    return {cells[0].strip(): [cell.strip() for cell in cells[1:]] for cells in rows[1:]}


@pytest.mark.parametrize("k", [2, 3, 4, 5, 8])
def test_names_are_those_of_the_documented_rule(k):
    # given the documented names of rank 1, 2, the middle ranks and rank k
    table = _naming_rule_table()
    first, second, middle, last = table[str(k)] if k <= 4 else table["5+"]
    names = segment_names(k)
    # then the code gives those names
    assert names[0] == first and names[-1] == last
    if k == 3:
        assert names[1] == second
    if k == 4:
        assert names[1:3] == [second, middle]
    if k >= 5:
        assert names[1] == second
        low, high = middle.removeprefix("Regular Customers ").split(" .. ")
        assert (low, high) == ("1", "k-3")
        assert names[2:-1] == [f"Regular Customers {i}" for i in range(1, k - 2)]


@pytest.mark.parametrize("k", [2, 3, 4, 5, 7, 10])
def test_names_are_unique_and_keep_champions_first_and_low_value_last(k):
    names = segment_names(k)
    assert len(names) == len(set(names)) == k
    assert names[0] == "Champions"
    assert names[-1] == "Low-Value / One-Time Buyers"


def test_four_segments_get_the_names_marketing_asked_for():
    assert segment_names(4) == [
        "Champions",
        "Potential Loyalists",
        "Regular Customers",
        "Low-Value / One-Time Buyers",
    ]


def test_value_score_rewards_frequency_and_monetary_and_punishes_recency():
    assert value_score(0.0, 1.0, 1.0) == pytest.approx(1.0)
    assert value_score(1.0, 0.0, 0.0) == pytest.approx(0.0)
    assert value_score(0.2, 0.5, 0.5) > value_score(0.4, 0.5, 0.5)


def test_names_do_not_depend_on_which_label_ids_the_library_returned():
    # given the true groups as labels, and the same partition with labels permuted
    frame = scaled_customers()
    labels = frame["true_group"].to_numpy()
    permuted = np.array([3, 0, 2, 1])[labels]
    # when both are named
    ids, matrix = frame["customer_id"].to_numpy(), frame[SCALED].to_numpy()
    first = named_assignment(ids, matrix, labels, n_segments=4)
    second = named_assignment(ids, matrix, permuted, n_segments=4)
    # then the outputs are identical and the best group is Champions
    pd.testing.assert_frame_equal(first, second)
    best = first.loc[frame["true_group"].to_numpy() == 0, "segment"].unique()
    assert best.tolist() == ["Champions"]
    worst = first.loc[frame["true_group"].to_numpy() == 3, "segment"].unique()
    assert worst.tolist() == ["Low-Value / One-Time Buyers"]


def test_an_empty_cluster_is_reported_not_named():
    frame = scaled_customers()
    labels = np.minimum(frame["true_group"].to_numpy(), 2)  # only 3 clusters present
    with pytest.raises(ClusteringInputError, match="3 non-empty cluster"):
        named_assignment(
            frame["customer_id"].to_numpy(), frame[SCALED].to_numpy(), labels, n_segments=4
        )


def test_low_value_name_goes_to_the_lowest_spenders_not_the_most_lapsed():
    # given three clusters: champions; recent newcomers who spend little; lapsed customers
    # who spent more than the newcomers but long ago (lowest value score)
    scaled = np.array(
        [
            [0.05, 0.9, 0.9],  # champions
            [0.05, 0.0, 0.10],  # newcomers: recent, score (0 + 0.1 + 0.95) / 3 = 0.35
            [0.95, 0.1, 0.40],  # lapsed: score (0.1 + 0.4 + 0.05) / 3 = 0.18
        ]
    )
    monetary = np.array([5000.0, 60.0, 900.0])
    # when ranked with and without the raw spend
    with_spend = rank_labels(scaled, np.array([7, 8, 9]), np.array([1, 2, 3]), monetary)
    scaled_only = rank_labels(scaled, np.array([7, 8, 9]), np.array([1, 2, 3]))
    # then Champions lead and Low-Value (last id) is the newcomers, by spend either way
    assert with_spend == {7: 1, 9: 2, 8: 3} == scaled_only
    assert segment_names(3)[with_spend[8] - 1] == "Low-Value / One-Time Buyers"


def test_middle_segments_follow_the_value_score():
    # given five clusters whose value scores fall with the label, spend falling too
    scaled = np.array([[0.1 * i, 0.9 - 0.2 * i, 0.9 - 0.2 * i] for i in range(5)])
    ranks = rank_labels(scaled, np.array([4, 2, 0, 3, 1]), np.arange(5))
    # then the ids follow the value score: label order of the rows
    assert [ranks[label] for label in [4, 2, 0, 3, 1]] == [1, 2, 3, 4, 5]
