"""One colour and one display label per segment name, the same in every chart and table.

Rule-based segments (``champions``) and cluster segments (``Champions``) that mean the same
thing share a colour, because names are compared after normalising case and punctuation.
Unknown names get a colour from a fixed palette chosen by a hash of the name, so a new
segment keeps its colour from one report to the next.
"""

from __future__ import annotations

import re
import zlib

from plotly.colors import qualitative

# Greens for the customers worth most, blues for the new, ambers for the slipping, reds for
# the valuable but lapsing, greys for the lost: a marketer reads the palette without a legend.
KNOWN_SEGMENT_COLORS: dict[str, str] = {
    "champions": "#1b7837",
    "loyal_customers": "#5aae61",
    "potential_loyalists": "#35978f",
    "new_customers": "#92c5de",
    "promising": "#8073ac",
    "need_attention": "#e0a526",
    "about_to_sleep": "#bf812d",
    "at_risk": "#d6604d",
    "cant_lose_them": "#b2182b",
    "hibernating": "#8c8c8c",
    "regular_customers": "#2166ac",
    "low_value_one_time_buyers": "#bdbdbd",
}

DEFAULT_LABELS: dict[str, str] = {"cant_lose_them": "Can't Lose Them"}

FALLBACK_PALETTE: tuple[str, ...] = tuple(qualitative.Safe)


def segment_key(name: object) -> str:
    """Normalise a segment name: ``"Can't Lose Them"`` and ``cant_lose_them`` are one key."""
    text = str(name).lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def segment_color(name: object) -> str:
    """The colour of a segment in every chart of the report."""
    key = segment_key(name)
    if key in KNOWN_SEGMENT_COLORS:
        return KNOWN_SEGMENT_COLORS[key]
    return FALLBACK_PALETTE[zlib.crc32(key.encode()) % len(FALLBACK_PALETTE)]


def default_segment_label(name: object) -> str:
    """A readable label for a snake_case segment name when the seed gives none."""
    text = str(name)
    key = segment_key(text)
    if key in DEFAULT_LABELS:
        return DEFAULT_LABELS[key]
    if text == text.lower():
        return text.replace("_", " ").title()
    return text
