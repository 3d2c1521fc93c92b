"""The seed project's notebook, as a plain script: the usual way RFM segmentation is done.

This is the baseline `make bench` puts beside the dbt project, so it is written the way the
notebook did it, with no optimisation and no sampling on purpose: pandas reads the whole
file, cleans it with boolean masks and ``drop_duplicates``, builds RFM with a ``groupby``
(recency through a per-group lambda, as notebooks write it), scales with ``MinMaxScaler``,
sweeps k-means over k = 2..10 with ``silhouette_score`` on every customer, then fits ward
``AgglomerativeClustering`` and a ``GaussianMixture`` on every customer. Silhouette and
ward are O(n^2) in memory and time, which is what breaks at a million customers.

Cleaning follows the notebook (and the published figures of the data set): lines without
CustomerID, cancellations (invoice starting with C), non-positive quantity or price and
exact duplicate rows are dropped; postage and other non-product codes are kept. Recency is
counted in days between dates, the snapshot being the day after the last purchase, so the
RFM table equals the project's with ``reject_non_product_stock_codes: false``.

Run: ``python bench/notebook_pipeline.py RAW_FILE [--rfm-out rfm.parquet] [--rfm-only]``.
Prints one JSON line per finished stage (``{"stage": ..., "seconds": ...}``) as it goes, so
that a run killed for time or memory still shows how far it got.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import MinMaxScaler

K_RANGE = range(2, 11)
N_SEGMENTS = 4
RANDOM_STATE = 42


def read_raw(path: Path) -> pd.DataFrame:
    """The whole file into one DataFrame, as the notebook's first cell does."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".xlsx":
        return pd.read_excel(path)
    return pd.read_csv(path, encoding="latin-1", parse_dates=["InvoiceDate"])


def clean(df: pd.DataFrame) -> pd.DataFrame:
    """Drop guests, cancellations, non-positive quantities and prices, exact duplicates."""
    df = df.dropna(subset=["CustomerID"])
    df = df[~df["InvoiceNo"].astype(str).str.startswith("C")]
    df = df[(df["Quantity"] > 0) & (df["UnitPrice"] > 0)]
    df = df.drop_duplicates()
    df = df.copy()
    df["CustomerID"] = df["CustomerID"].astype("int64")
    df["TotalPrice"] = df["Quantity"] * df["UnitPrice"]
    return df


def rfm_table(df: pd.DataFrame) -> pd.DataFrame:
    """Recency (days), frequency (invoices) and monetary (sum of line amounts) per customer."""
    snapshot = df["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    rfm = df.groupby("CustomerID").agg(
        Recency=("InvoiceDate", lambda x: (snapshot - x.max().normalize()).days),
        Frequency=("InvoiceNo", "nunique"),
        Monetary=("TotalPrice", "sum"),
    )
    return rfm


class StageClock:
    """Times consecutive stages and prints each as a JSON line the moment it finishes."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.started = time.perf_counter()

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self.started
        print(json.dumps({"stage": stage, "seconds": round(now - self.started, 3)}), flush=True)
        self.started = now


def cluster(rfm: pd.DataFrame, clock: StageClock) -> pd.DataFrame:
    """Scale, sweep k with inertia and silhouette, then fit the three methods at k=4."""
    scaled = MinMaxScaler().fit_transform(rfm[["Recency", "Frequency", "Monetary"]])
    clock.done("scale")

    inertia, silhouette = {}, {}
    for k in K_RANGE:
        model = KMeans(n_clusters=k, random_state=RANDOM_STATE).fit(scaled)
        inertia[k] = model.inertia_
        silhouette[k] = silhouette_score(scaled, model.labels_)
    print(f"best k by silhouette: {max(silhouette, key=silhouette.get)}", file=sys.stderr)
    clock.done("kmeans_sweep_with_silhouette")

    segments = rfm.copy()
    kmeans = KMeans(n_clusters=N_SEGMENTS, random_state=RANDOM_STATE)
    segments["kmeans"] = kmeans.fit_predict(scaled)
    clock.done("kmeans")

    ward = AgglomerativeClustering(n_clusters=N_SEGMENTS, linkage="ward")
    segments["ward"] = ward.fit_predict(scaled)
    clock.done("ward")

    gmm = GaussianMixture(n_components=N_SEGMENTS, random_state=RANDOM_STATE)
    segments["gmm"] = gmm.fit_predict(scaled)
    clock.done("gmm")
    return segments


def run(path: Path, rfm_out: Path | None = None, rfm_only: bool = False) -> dict[str, float]:
    """The whole notebook; returns seconds per stage."""
    clock = StageClock()
    df = read_raw(path)
    clock.done("read")
    df = clean(df)
    clock.done("clean")
    rfm = rfm_table(df)
    clock.done("rfm")
    del df
    if rfm_out is not None:
        rfm.reset_index().to_parquet(rfm_out, index=False)
    if not rfm_only:
        segments = cluster(rfm, clock)
        print(
            f"customers: {len(segments)}, segment sizes (k-means): "
            f"{np.bincount(segments['kmeans']).tolist()}",
            file=sys.stderr,
        )
    return clock.timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_file", type=Path)
    parser.add_argument("--rfm-out", type=Path, help="write the RFM table here (Parquet)")
    parser.add_argument("--rfm-only", action="store_true", help="stop after the RFM table")
    args = parser.parse_args(argv)
    if not args.raw_file.exists():
        parser.error(f"raw file not found: {args.raw_file}")
    run(args.raw_file, args.rfm_out, args.rfm_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
