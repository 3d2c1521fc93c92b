"""Headline figures stay short at any magnitude (segmentation.report.numbers.compact)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from segmentation.report.numbers import compact

CASES = [
    # (value, decimals, expected): full below a million, pence only below £1,000
    (0, 2, "£0.00"),
    (-0.004, 2, "£0.00"),
    (153.954, 2, "£153.95"),
    (999.996, 2, "£1,000"),
    (12_345.67, 2, "£12,346"),
    (999_999.4, 0, "£999,999"),
    # three significant digits and a suffix from a million on; rounding moves the suffix
    (999_999.5, 0, "£1.00M"),
    (8_737_227.64, 0, "£8.74M"),
    (-8_737_227.64, 0, "-£8.74M"),
    (87_400_000, 0, "£87.4M"),
    (999_960_000, 0, "£1.00B"),
    (1_000_000_000_000, 0, "£1.00T"),
    (Decimal("1000000002550.00"), 2, "£1.00T"),
    (874e12, 0, "£874T"),
    (999.6e12, 0, "£1.00e+15"),
    (1e18, 0, "£1.00e+18"),
]


@pytest.mark.parametrize(("value", "decimals", "expected"), CASES, ids=[c[2] for c in CASES])
def test_money_is_abbreviated_by_magnitude(value, decimals, expected):
    assert compact(value, "£", decimals) == expected


def test_counts_have_no_unit_and_no_decimals():
    assert [compact(v) for v in (7, 4_334, 391_150, 18_402_000)] == [
        "7",
        "4,334",
        "391,150",
        "18.4M",
    ]


@pytest.mark.parametrize("value", [None, float("nan"), float("inf")])
def test_missing_or_infinite_is_none(value):
    assert compact(value, "£") is None


@pytest.mark.parametrize("exponent", range(0, 25))
def test_no_figure_is_longer_than_ten_characters(exponent):
    # given values from 1 to 10^24, either sign, just below and at each power of ten
    for value in (10**exponent, 10**exponent - 0.5, -(10**exponent) * 9.995):
        # then the text fits a card: at most ten characters with the sign and the unit
        assert len(compact(value, "£", 2)) <= 10
