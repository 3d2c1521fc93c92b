"""Headline figures short enough for a card at any magnitude: £8.74M, £1.00T, 4,334.

Below a million a figure is written in full (with pence only under £1,000, where they
matter); from a million on it keeps three significant digits and a suffix, so the widest
text is nine characters (``-£999,999``, ``-£1.00e+15``) whatever the data holds.
"""

from __future__ import annotations

import math

# Suffixes from the smallest; beyond the last, scientific notation.
SUFFIXES = ((1e6, "M"), (1e9, "B"), (1e12, "T"))
ABBREVIATE_FROM = 1e6
DECIMALS_BELOW = 1e3


def _three_significant(magnitude: float) -> str:
    """A magnitude from 1 to 999.5 with three significant digits: 1.00, 87.4, 874."""
    return f"{magnitude:.{max(0, 2 - math.floor(math.log10(magnitude)))}f}"


def compact(value: float, unit: str = "", decimals: int = 0) -> str | None:
    """``value`` as a short figure with ``unit`` before it (``"£"``); None when not finite.

    ``decimals`` apply only below 1,000; a value that rounds to a million is abbreviated.
    """
    if value is None or not math.isfinite(value := float(value)):
        return None
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    shown_decimals = decimals if round(magnitude, decimals) < DECIMALS_BELOW else 0
    if round(magnitude, shown_decimals) < ABBREVIATE_FROM:
        text = f"{magnitude:,.{shown_decimals}f}"
        if not float(text.replace(",", "")):
            sign = ""  # -0.4 shows as 0, not -0
        return f"{sign}{unit}{text}"
    for scale, suffix in SUFFIXES:
        scaled = float(f"{magnitude / scale:.3g}")  # rounded first: 999.96M is 1.00B
        if scaled < 1000:
            return f"{sign}{unit}{_three_significant(scaled)}{suffix}"
    return f"{sign}{unit}{magnitude:.2e}"
