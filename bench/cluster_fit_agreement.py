"""Agreement of k-means and the mixture fitted on a bounded sample with the fit on everyone.

Reads the scaled features of a built warehouse (intermediate.int_customers_rfm_scaled),
fits both models on every customer and on a sample of each cap (``fit_cluster_models``),
assigns every customer with each fit and prints the adjusted Rand index and the share of
customers in the same segment. docs/decisions.md ("Fit sample of k-means and the mixture")
quotes it at 100k customers (a 10M-line synthetic build).

    python bench/cluster_fit_agreement.py warehouse/segmentation.duckdb 10000 20000 50000
"""

from __future__ import annotations

import argparse
import time

import duckdb
import numpy as np
from sklearn.metrics import adjusted_rand_score

from segmentation.clustering import (
    ClusteringConfig,
    fit_cluster_models,
    gmm_segments,
    kmeans_segments,
)

ASSIGNERS = {"kmeans": kmeans_segments, "gmm": gmm_segments}


def _ranks(features, config: ClusteringConfig):
    started = time.perf_counter()
    models = fit_cluster_models(features, config)
    seconds = time.perf_counter() - started
    ranks = {
        method: assign(features, config, models=models)
        .drop_duplicates("customer_id")
        .set_index("customer_id")["segment_rank"]
        for method, assign in ASSIGNERS.items()
    }
    return ranks, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", help="a built DuckDB warehouse")
    parser.add_argument("caps", nargs="*", type=int, default=[20_000], help="fit sample sizes")
    args = parser.parse_args()
    with duckdb.connect(args.warehouse, read_only=True) as connection:
        features = connection.sql("select * from intermediate.int_customers_rfm_scaled").df()
    everyone = ClusteringConfig(clustering_max_fit_customers=len(features))
    reference, seconds = _ranks(features, everyone)
    print(f"{len(features):,} customers; fit on everyone {seconds:.1f} s")
    for cap in args.caps:
        ranks, seconds = _ranks(features, ClusteringConfig(clustering_max_fit_customers=cap))
        for method, expected in reference.items():
            got = ranks[method].loc[expected.index]
            same = np.mean(expected.to_numpy() == got.to_numpy())
            ari = adjusted_rand_score(expected, got)
            print(f"cap {cap:,}: fit {seconds:.1f} s, {method}: ARI {ari:.4f}, same {same:.2%}")


if __name__ == "__main__":
    main()
