"""Small synthetic customer frames shared by the clustering tests (not a test module)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# four groups of customers with an unmistakable value order:
# (recency_days, frequency, monetary) centres, best first
GROUP_CENTRES = [(5, 40, 20_000.0), (30, 10, 3_000.0), (120, 4, 800.0), (300, 1, 100.0)]


def rfm_customers(per_group: int = 10, seed: int = 0) -> pd.DataFrame:
    """Four well-separated groups of RFM customers, with a true_group column (0 = best)."""
    rng = np.random.default_rng(seed)
    rows = []
    for group, (recency, frequency, monetary) in enumerate(GROUP_CENTRES):
        for _ in range(per_group):
            rows.append(
                {
                    "recency_days": int(max(0, recency + rng.integers(-3, 4))),
                    "frequency": int(max(1, frequency + rng.integers(0, 2))),
                    "monetary": float(monetary * rng.uniform(0.9, 1.1)),
                    "true_group": group,
                }
            )
    frame = pd.DataFrame(rows)
    frame.insert(0, "customer_id", 10_000 + rng.permutation(len(frame)))
    return frame


def scaled_customers(per_group: int = 10, seed: int = 0) -> pd.DataFrame:
    """The same customers after the default scaling, true_group kept."""
    from segmentation.clustering import scale_features

    raw = rfm_customers(per_group, seed)
    scaled = scale_features(raw)
    return scaled.merge(raw[["customer_id", "true_group"]], on="customer_id")
