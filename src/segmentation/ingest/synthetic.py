"""Synthetic stand-in for the UCI "Online Retail" transaction log, calibrated to the real file.

Used when the real data set cannot be obtained (no network on a user's machine) and for
benchmarks at sizes the real file does not reach (100M lines, 1M customers). It writes the
same columns with the same types as the published file, and reproduces the traits the
segmentation depends on or the dbt staging must survive: heavy-tailed purchase frequency and
spend per customer, a November peak, customers acquired over the year, basket sizes, guest
checkouts without CustomerID, cancellations (invoice "C" + 6 digits, negative quantity),
exact duplicate rows, non-product codes (POST, DOT, M, ...), zero prices and 38 countries.

Every constant below was measured on the real file with DuckDB (queries in the comments;
bench/calibration.py re-measures both files side by side).

How it scales: per-customer arrays (a few per customer) are the only arrays that grow with
the input beyond one trading day. The calendar (305 trading days) gets an exact line budget
from a multinomial draw; each day is then generated from its own random stream, seeded by
``(seed, day)``, and written through ``pyarrow.parquet.ParquetWriter`` once ``chunk_lines``
lines are buffered. Hence:

* same seed and sizes -> identical content (and identical bytes for the same chunk_lines);
* ``chunk_lines`` does NOT change the content, only the Parquet row-group layout (a day is
  never split, so a row group holds at least one whole day);
* memory is bounded by the per-customer arrays plus max(chunk_lines, one day's lines).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from segmentation.atomic import atomic_path

# --- calendar --------------------------------------------------------------------------------
FIRST_DAY = dt.date(2010, 12, 1)
LAST_DAY = dt.date(2011, 12, 9)
# Weekdays (not Saturdays) without a single invoice in the real file: Christmas closure and
# UK bank holidays (plus the royal wedding). 305 trading days remain, as in the real file.
CLOSED_DAYS = frozenset(
    [dt.date(2010, 12, d) for d in (24, 26, 27, 28, 29, 30, 31)]
    + [dt.date(2011, 1, 2), dt.date(2011, 1, 3)]
    + [dt.date(2011, 4, d) for d in (22, 24, 25, 29)]
    + [dt.date(2011, 5, 2), dt.date(2011, 5, 30), dt.date(2011, 8, 29)]
)
# select year(InvoiceDate), month(InvoiceDate), count(*) ... group by 1, 2
MONTH_LINES = {
    (2010, 12): 42481, (2011, 1): 35147, (2011, 2): 27707, (2011, 3): 36748,
    (2011, 4): 29916, (2011, 5): 37030, (2011, 6): 36874, (2011, 7): 39518,
    (2011, 8): 35284, (2011, 9): 50226, (2011, 10): 60742, (2011, 11): 84711,
    (2011, 12): 25525,
}  # fmt: skip
# Lines per trading day by weekday (Python weekday(): Monday=0 .. Sunday=6; no Saturdays).
WEEKDAY_LINES_PER_DAY = {0: 2024, 1: 1958, 2: 1784, 3: 1960, 4: 1644, 6: 1287}
# select hour(InvoiceDate), count(*) ... : hours 6..20
HOUR_LINES = [41, 383, 8909, 34332, 49037, 57674, 78709, 72259,
              67471, 77519, 54516, 28509, 7974, 3705, 871]  # fmt: skip
FIRST_HOUR = 6
# Month of each customer's first purchase (Dec 2010 holds the customers already on the books).
FIRST_PURCHASE_MONTH = {
    (2010, 12): 948, (2011, 1): 421, (2011, 2): 380, (2011, 3): 440, (2011, 4): 299,
    (2011, 5): 279, (2011, 6): 235, (2011, 7): 191, (2011, 8): 167, (2011, 9): 298,
    (2011, 10): 352, (2011, 11): 321, (2011, 12): 41,
}  # fmt: skip

# --- countries -------------------------------------------------------------------------------
# Customers per country (select Country, count(distinct CustomerID) ...).
CUSTOMER_COUNTRIES = {
    "United Kingdom": 3950, "Germany": 95, "France": 87, "Spain": 31, "Belgium": 25,
    "Switzerland": 21, "Portugal": 19, "Italy": 15, "Finland": 12, "Austria": 11,
    "Norway": 10, "Netherlands": 9, "Australia": 9, "Channel Islands": 9, "Denmark": 9,
    "Cyprus": 8, "Sweden": 8, "Japan": 8, "Poland": 6, "Unspecified": 4, "Israel": 4,
    "USA": 4, "Canada": 4, "Greece": 4, "EIRE": 3, "Malta": 2, "United Arab Emirates": 2,
    "Bahrain": 2, "Singapore": 1, "Iceland": 1, "European Community": 1, "RSA": 1,
    "Lebanon": 1, "Lithuania": 1, "Brazil": 1, "Czech Republic": 1, "Saudi Arabia": 1,
}  # fmt: skip
# Lines without CustomerID per country (guest checkouts); Hong Kong only appears here.
GUEST_COUNTRIES = {
    "United Kingdom": 133600, "EIRE": 711, "Hong Kong": 288, "Unspecified": 202,
    "Switzerland": 125, "France": 66, "Israel": 47, "Portugal": 39, "Bahrain": 2,
}  # fmt: skip

# --- line mix (shares of all lines) ----------------------------------------------------------
P_DUPLICATE = 5268 / 541909  # rows that exactly repeat an earlier row
P_CANCELLATION = 9288 / 541909  # lines on "C" invoices
P_ADJUSTMENT = 2475 / 541909  # zero-price stock adjustments without customer
P_BAD_DEBT = 3 / 541909  # "A" invoices, code B, negative price
P_GUEST = 132222 / (397924 + 132222)  # of ordinary sale lines: no CustomerID
P_CANCELLATION_GUEST = 383 / 9288
P_ADJUSTMENT_NO_DESCRIPTION = 1454 / 2475
P_ADJUSTMENT_NEGATIVE = 1336 / 2475

# --- quantities, baskets, prices -------------------------------------------------------------
# The 40 most frequent positive quantities with their line counts (99.2% of sale lines).
QUANTITY_COUNTS = {
    1: 148227, 2: 81829, 12: 61063, 6: 40868, 4: 38484, 3: 37121, 24: 24021, 10: 22288,
    8: 13129, 5: 11757, 48: 6068, 25: 5124, 20: 5019, 16: 4266, 36: 3822, 7: 2914,
    9: 2037, 72: 1946, 100: 1819, 96: 1813, 18: 1787, 30: 1185, 40: 1081, 32: 1047,
    144: 1021, 11: 956, 50: 916, 15: 802, 60: 675, 120: 605, 13: 585, 14: 569, 200: 419,
    192: 342, 64: 283, 17: 270, 240: 263, 288: 248, 19: 223, 80: 211,
}  # fmt: skip
QUANTITY_TAIL_SHARE = 1 - 527103 / 531285  # the rest: log-uniform between 21 and 1,000
N_PRODUCTS = 3_900  # 4,037 product-like codes in the real file
FIRST_INVOICE_NUMBER = 536365


@dataclass(frozen=True)
class _ServiceCode:
    """A non-product stock code: lines per kind in the real file and its price."""

    code: str
    description: str
    customer_lines: int  # on sale invoices with a customer
    guest_lines: int  # on sale invoices without customer
    cancellation_lines: int
    median_price: float
    price_sigma: float


# select StockCode, InvoiceNo like 'C%', CustomerID is null, count(*), median(UnitPrice) ...
SERVICE_CODES = (
    _ServiceCode("POST", "POSTAGE", 1099, 31, 126, 18.0, 0.5),
    _ServiceCode("DOT", "DOTCOM POSTAGE", 16, 693, 1, 185.0, 0.6),
    _ServiceCode("M", "Manual", 290, 37, 244, 7.95, 1.5),
    _ServiceCode("C2", "CARRIAGE", 133, 9, 2, 50.0, 0.05),
    _ServiceCode("D", "Discount", 0, 0, 77, 23.0, 1.0),
    _ServiceCode("S", "SAMPLES", 0, 2, 61, 19.5, 1.0),
    _ServiceCode("BANK CHARGES", "Bank Charges", 12, 0, 25, 83.0, 1.0),
    _ServiceCode("AMAZONFEE", "AMAZON FEE", 0, 2, 32, 5900.0, 0.8),
    _ServiceCode("CRUK", "CRUK Commission", 0, 0, 16, 470.0, 0.4),
    _ServiceCode("PADS", "PADS TO MATCH ALL CUSHIONS", 4, 0, 0, 0.001, 0.0),
)
# "A" invoices: a bad debt written off under its own stock code.
BAD_DEBT_CODE, BAD_DEBT_DESCRIPTION = "B", "Adjust bad debt"
NON_PRODUCT_CODES = (*(s.code for s in SERVICE_CODES), BAD_DEBT_CODE)
"""Every non-product stock code the generator writes (tested against the project's seed)."""
_KIND_LINES = {"customer": 397924, "guest": 132222, "cancellation": 9288}

# Tuned so that the same-size run matches the real frequency / spend percentiles (see
# bench/calibration.py); the lognormal shape gives the heavy tails of RFM data.
FREQUENCY_SIGMA = 1.2  # per-customer purchase-rate weight, lognormal
BASKET_MEDIAN = 13.0  # lines per customer invoice: median ...
BASKET_SIGMA = 0.95  # ... and lognormal sigma across invoices
CUSTOMER_BASKET_SIGMA = 0.35  # per-customer basket-size factor (wholesalers buy wide)
GUEST_BASKET_MEDIAN = 60.0
GUEST_BASKET_SIGMA = 1.2
CANCELLATION_BASKET_SIGMA = 1.1  # lines per cancellation invoice: ceil(lognormal(0, s))
MAX_BASKET = 1_114
PRODUCT_POPULARITY_SIGMA = 1.4
PRODUCT_PRICE_MEDIAN = 2.1
PRODUCT_PRICE_SIGMA = 0.85
GUEST_PRICE_MARKUP = 1.2  # guest checkouts pay list price; account customers get trade price
BULK_DISCOUNT = 0.85  # applied to some lines of 12 or more
QUANTITY_PRICE_ELASTICITY = 0.8  # see _draw_quantities
GUEST_QUANTITY_POWER = 3.0
QUANTITY_POWER = 1.5  # > 1 shifts all quantities down: sets the overall spend level
CUSTOMER_QUANTITY_SIGMA = 0.6  # per-customer pack-size habit: resellers buy by the dozen

TARGETS = {
    "share_missing_customer": 135080 / 541909,
    "share_cancellation_lines": P_CANCELLATION,
    "share_duplicate_rows": P_DUPLICATE,
    "share_non_product_lines": 2915 / 541909,
    "share_zero_price": 2515 / 541909,
    "share_lines_november": 84711 / 541909,
}
"""Line shares of the real file that the generator aims for (checked by the tests)."""

_ADJECTIVES = (
    "RED",
    "BLUE",
    "PINK",
    "GREEN",
    "WHITE",
    "IVORY",
    "BLACK",
    "CREAM",
    "PAISLEY",
    "VINTAGE",
    "RETRO",
    "SET OF 3",
    "SMALL",
    "LARGE",
    "JUMBO",
    "MINI",
    "HANGING",
    "ANTIQUE",
    "PASTEL",
    "GLASS",
    "WOODEN",
    "ENAMEL",
    "ZINC",
    "FELT",
    "SILVER",
)
_PATTERNS = (
    "RETROSPOT",
    "POLKADOT",
    "HEART",
    "STAR",
    "SPACEBOY",
    "DOLLY GIRL",
    "REGENCY",
    "BIRD",
    "FLORAL",
    "CHRISTMAS",
    "BAROQUE",
    "LOVE",
    "SKULL",
    "STRIPE",
    "OWL",
    "CHERRY",
    "ROSE",
    "BUNTING",
    "GINGHAM",
    "DAISY",
    "APPLE",
    "ALPHABET",
    "SNOWFLAKE",
    "GARDEN",
    "TEA PARTY",
)
_ITEMS = (
    "T-LIGHT HOLDER",
    "CAKESTAND",
    "JUMBO BAG",
    "LUNCH BOX",
    "MUG",
    "PARTY BUNTING",
    "CAKE CASES",
    "NAPKINS",
    "PAPER CHAIN KIT",
    "DOORMAT",
    "WATER BOTTLE",
    "CUSHION COVER",
    "LANTERN",
    "FRAME",
    "NOTEBOOK",
    "CANDLE",
    "TEA TOWEL",
    "CHARLOTTE BAG",
    "PLATE",
    "BOWL",
    "CLOCK",
    "SIGN",
    "GIFT WRAP",
    "BIRTHDAY CARD",
    "KEY RING",
    "PURSE",
    "HOT WATER BOTTLE",
    "STORAGE TIN",
    "PEG BAG",
    "APRON",
    "BUNTING",
    "DRAWER KNOB",
    "MAGNET",
    "PENCILS",
    "TISSUES",
    "WALL ART",
    "DOORSTOP",
    "SPOON",
    "JAR",
    "BASKET",
)


@dataclass(frozen=True)
class _Catalogue:
    codes: pa.Array  # products, then service codes, then the bad-debt code
    descriptions: pa.Array
    popularity_cdf: np.ndarray
    price: np.ndarray  # per product
    service_price_median: np.ndarray
    service_price_sigma: np.ndarray
    service_offset: int
    bad_debt_index: int


def _build_catalogue(rng: np.random.Generator) -> _Catalogue:
    numbers = rng.choice(np.arange(10002, 90215), size=N_PRODUCTS, replace=False)
    suffix = np.where(rng.random(N_PRODUCTS) < 1091 / 4037, rng.integers(0, 12, N_PRODUCTS), -1)
    codes = [
        f"{n}{'ABCDEFGHIJKL'[s] if s >= 0 else ''}" for n, s in zip(numbers, suffix, strict=True)
    ]
    combos = rng.choice(len(_ADJECTIVES) * len(_PATTERNS) * len(_ITEMS), N_PRODUCTS, replace=False)
    descriptions = []
    for combo in combos:
        combo, item = divmod(int(combo), len(_ITEMS))
        adjective, pattern = divmod(combo, len(_PATTERNS))
        descriptions.append(f"{_ADJECTIVES[adjective]} {_PATTERNS[pattern]} {_ITEMS[item]}")
    popularity = rng.lognormal(0.0, PRODUCT_POPULARITY_SIGMA, N_PRODUCTS)
    raw_price = rng.lognormal(np.log(PRODUCT_PRICE_MEDIAN), PRODUCT_PRICE_SIGMA, N_PRODUCTS)
    # Price points as in the shop: pence below a pound, multiples of 5p above.
    price = np.where(raw_price < 1, np.round(raw_price, 2), np.round(raw_price * 20) / 20)
    price = np.clip(price, 0.06, 650.0)
    codes += [s.code for s in SERVICE_CODES] + [BAD_DEBT_CODE]
    descriptions += [s.description for s in SERVICE_CODES] + [BAD_DEBT_DESCRIPTION]
    return _Catalogue(
        codes=pa.array(codes, pa.string()),
        descriptions=pa.array(descriptions, pa.string()),
        popularity_cdf=np.cumsum(popularity) / popularity.sum(),
        price=price,
        service_price_median=np.array([s.median_price for s in SERVICE_CODES]),
        service_price_sigma=np.array([s.price_sigma for s in SERVICE_CODES]),
        service_offset=N_PRODUCTS,
        bad_debt_index=len(codes) - 1,
    )


def _trading_days() -> list[dt.date]:
    days, day = [], FIRST_DAY
    while day <= LAST_DAY:
        if day.weekday() != 5 and day not in CLOSED_DAYS:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _month_weights(days: list[dt.date], per_month: dict, weekday: bool) -> np.ndarray:
    """Spread monthly totals over a month's trading days (optionally by weekday profile)."""
    factor = np.array([WEEKDAY_LINES_PER_DAY[d.weekday()] if weekday else 1.0 for d in days])
    month = np.array([(d.year, d.month) for d in days])
    weights = np.empty(len(days))
    for key, total in per_month.items():
        mask = (month[:, 0] == key[0]) & (month[:, 1] == key[1])
        weights[mask] = total * factor[mask] / factor[mask].sum()
    return weights / weights.sum()


def _quota(shares: np.ndarray, total: int) -> np.ndarray:
    """Largest-remainder apportionment, at least one per country while there are enough.

    Keeps the ~37 customer countries present at the real size (some have one customer).
    """
    present = shares > 0
    floor = present.astype(np.int64) if total >= present.sum() else np.zeros(len(shares), int)
    exact = shares / shares.sum() * (total - floor.sum())
    counts = np.floor(exact).astype(np.int64)
    counts[np.argsort(-(exact - counts), kind="stable")[: total - floor.sum() - counts.sum()]] += 1
    return counts + floor


@dataclass(frozen=True)
class _Customers:
    """Per-customer arrays, ordered by first purchase day (so the active set is a prefix)."""

    customer_id: np.ndarray
    country: np.ndarray  # index into _Calendar.countries
    first_day: np.ndarray
    rate_cdf: np.ndarray  # cumulative purchase-rate weights
    basket_factor: np.ndarray
    quantity_power: np.ndarray  # < 1 pushes a customer's quantities up the pack sizes
    active_until_day: np.ndarray  # number of customers whose first day <= day


def _build_customers(
    rng: np.random.Generator,
    n_customers: int,
    n_days: int,
    days: list[dt.date],
    countries: list[str],
) -> _Customers:
    start_weights = _month_weights(days, FIRST_PURCHASE_MONTH, weekday=False)
    first_day = np.sort(rng.choice(n_days, size=n_customers, p=start_weights))
    shares = np.array([CUSTOMER_COUNTRIES.get(c, 0) for c in countries], dtype=float)
    country = rng.permutation(np.repeat(np.arange(len(countries)), _quota(shares, n_customers)))
    rate = rng.lognormal(0.0, FREQUENCY_SIGMA, n_customers)
    return _Customers(
        customer_id=12346 + rng.permutation(n_customers).astype(np.int64),
        country=country,
        first_day=first_day,
        rate_cdf=np.cumsum(rate),
        basket_factor=rng.lognormal(0.0, CUSTOMER_BASKET_SIGMA, n_customers),
        quantity_power=rng.lognormal(0.0, CUSTOMER_QUANTITY_SIGMA, n_customers),
        active_until_day=np.searchsorted(first_day, np.arange(n_days), side="right"),
    )


def _fill(sizes_for, budget: int, rng: np.random.Generator, first: np.ndarray | None = None):
    """Draw invoices until their lines reach ``budget``; the last one is cut to fit.

    ``sizes_for(rng, k)`` returns (owners, sizes) for k new invoices. ``first`` are owners
    that must come first (customers making their first purchase today).
    Returns (owners, sizes) with sizes.sum() == budget.
    """
    owners_parts, size_parts, total = [], [], 0
    if first is not None and len(first):
        owners, sizes = sizes_for(rng, len(first), first)
        owners_parts.append(owners)
        size_parts.append(sizes)
        total += int(sizes.sum())
    while total < budget:
        k = max(8, int((budget - total) / 12) + 8)
        owners, sizes = sizes_for(rng, k, None)
        owners_parts.append(owners)
        size_parts.append(sizes)
        total += int(sizes.sum())
    if not size_parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    owners, sizes = np.concatenate(owners_parts), np.concatenate(size_parts)
    ends = np.cumsum(sizes)
    keep = int(np.searchsorted(ends, budget, side="left")) + 1 if budget > 0 else 0
    owners, sizes = owners[:keep], sizes[:keep].copy()
    if keep:
        sizes[-1] -= int(ends[keep - 1] - budget)
    return owners, sizes


def _lognormal_sizes(rng, k, median, sigma, factor=1.0):
    sizes = np.ceil(rng.lognormal(np.log(median), sigma, k) * factor)
    return np.clip(sizes, 1, MAX_BASKET).astype(np.int64)


def _sample_customers(rng, customers: _Customers, n_active: int, k: int) -> np.ndarray:
    if n_active == 0:
        return np.full(k, -1, np.int64)
    cdf = customers.rate_cdf
    return np.searchsorted(cdf, rng.random(k) * cdf[n_active - 1], side="right").astype(np.int64)


def _draw_quantities(rng, price: np.ndarray, habit: np.ndarray) -> np.ndarray:
    """Quantities on the real pack sizes (1, 2, 12, 6, ...), fewer of the dear items.

    A uniform draw u is read through the real quantity distribution as u ** power, with
    power = (price / median price) ** QUANTITY_PRICE_ELASTICITY: cheap items move up to the
    big packs, dear ones down to ones and twos, as in the real file (median quantity 12
    below 50p, 1 above 8 pounds). ``habit`` multiplies the power per line: the customer's
    pack-size habit, or GUEST_QUANTITY_POWER for guest checkouts, who mostly buy singles.
    """
    values = np.array(sorted(QUANTITY_COUNTS), dtype=np.int64)
    weights = np.array([QUANTITY_COUNTS[v] for v in values], dtype=float)
    cdf = np.cumsum(weights) / weights.sum() * (1 - QUANTITY_TAIL_SHARE)
    power = (np.maximum(price, 0.01) / PRODUCT_PRICE_MEDIAN) ** QUANTITY_PRICE_ELASTICITY
    power = power * habit * QUANTITY_POWER
    u = rng.random(len(price)) ** power
    quantity = values[np.minimum(np.searchsorted(cdf, u, side="right"), len(values) - 1)]
    tail = u >= 1 - QUANTITY_TAIL_SHARE
    quantity[tail] = np.round(np.exp(rng.uniform(np.log(21), np.log(1000), tail.sum())))
    return quantity


def _distinct_products(rng, cdf: np.ndarray, line_invoice: np.ndarray) -> np.ndarray:
    """Popularity-weighted products, re-drawn where an invoice would repeat a product.

    Real invoices list a product once; without this, popular products would collide and
    create accidental exact duplicates on top of the deliberate ~1%.
    """
    product = np.searchsorted(cdf, rng.random(len(line_invoice)), side="right")
    product = np.minimum(product, len(cdf) - 1)
    for _ in range(8):
        order = np.lexsort((product, line_invoice))
        same = (np.diff(line_invoice[order]) == 0) & (np.diff(product[order]) == 0)
        clash = order[1:][same]
        if not len(clash):
            break
        product[clash] = rng.integers(0, len(cdf), len(clash))
    return product


# Kinds of invoice a day's lines belong to (codes of the `kind` arrays below).
_CUSTOMER_SALE, _GUEST_SALE, _CANCELLATION, _ADJUSTMENT, _BAD_DEBT = range(5)
_SERVICE_KINDS = (
    (_CUSTOMER_SALE, "customer"),
    (_GUEST_SALE, "guest"),
    (_CANCELLATION, "cancellation"),
)


@dataclass(frozen=True)
class _DayMix:
    """How a day's line budget splits into kinds of line."""

    duplicates: int
    customer_sales: int
    guest_sales: int
    cancellations: int
    adjustments: int
    bad_debts: int


@dataclass(frozen=True)
class _Invoices:
    """One day's invoices in time order: kind, owner (customer index, -1 guest), lines."""

    kind: np.ndarray
    owner: np.ndarray
    size: np.ndarray
    number: pa.Array  # "C"/"A" prefix + six digits
    invoiced_at: np.ndarray
    country: np.ndarray  # index into the country names


@dataclass
class _Lines:
    """One day's lines before duplication; item, quantity and price are filled in steps."""

    invoice: np.ndarray  # index into _Invoices
    kind: np.ndarray
    owner: np.ndarray
    item: np.ndarray  # index into _Catalogue.codes
    quantity: np.ndarray
    price: np.ndarray
    no_description: np.ndarray | None = None


def _day_mix(rng: np.random.Generator, budget: int, has_customers: bool) -> _DayMix:
    n_dup = rng.binomial(budget, P_DUPLICATE)
    base = budget - n_dup
    n_cancel = rng.binomial(base, P_CANCELLATION)
    n_adjust = rng.binomial(base - n_cancel, P_ADJUSTMENT / (1 - P_CANCELLATION))
    n_bad = rng.binomial(base - n_cancel - n_adjust, P_BAD_DEBT)
    n_sale = base - n_cancel - n_adjust - n_bad
    n_guest = rng.binomial(n_sale, P_GUEST) if has_customers else n_sale
    return _DayMix(n_dup, n_sale - n_guest, n_guest, n_cancel, n_adjust, n_bad)


def _draw_invoices(
    rng: np.random.Generator,
    mix: _DayMix,
    customers: _Customers,
    n_active: int,
    newcomers: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(kind, owner, size) of the day's invoices; newcomers make the first customer sales."""

    def customer_invoices(rng, k, first):
        owners = first if first is not None else _sample_customers(rng, customers, n_active, k)
        factor = customers.basket_factor[owners]
        return owners, _lognormal_sizes(rng, k, BASKET_MEDIAN, BASKET_SIGMA, factor)

    def guest_invoices(rng, k, _first):
        return np.full(k, -1, np.int64), _lognormal_sizes(
            rng, k, GUEST_BASKET_MEDIAN, GUEST_BASKET_SIGMA
        )

    def cancellation_invoices(rng, k, _first):
        owners = _sample_customers(rng, customers, n_active, k)
        owners[rng.random(k) < P_CANCELLATION_GUEST] = -1
        return owners, _lognormal_sizes(rng, k, 1.0, CANCELLATION_BASKET_SIGMA)

    def single_lines(k):
        return np.full(k, -1, np.int64), np.ones(k, np.int64)

    parts = [
        (_CUSTOMER_SALE, *_fill(customer_invoices, mix.customer_sales, rng, newcomers)),
        (_GUEST_SALE, *_fill(guest_invoices, mix.guest_sales, rng)),
        (_CANCELLATION, *_fill(cancellation_invoices, mix.cancellations, rng)),
        (_ADJUSTMENT, *single_lines(mix.adjustments)),
        (_BAD_DEBT, *single_lines(mix.bad_debts)),
    ]
    kind = np.concatenate([np.full(len(p[1]), p[0], np.int8) for p in parts])
    owner = np.concatenate([p[1] for p in parts])
    size = np.concatenate([p[2] for p in parts])
    keep = size > 0
    return kind[keep], owner[keep], size[keep]


def _invoice_headers(
    rng: np.random.Generator,
    drawn: tuple[np.ndarray, np.ndarray, np.ndarray],
    day: dt.date,
    customers: _Customers,
    guest_country_cdf: np.ndarray,
    invoice_number: int,
) -> _Invoices:
    """Times by the real hourly profile (minute uniform), numbers in time order, countries."""
    kind, owner, size = drawn
    n_invoices = len(size)
    hour_cdf = np.cumsum(HOUR_LINES) / sum(HOUR_LINES)
    minute = (FIRST_HOUR + np.searchsorted(hour_cdf, rng.random(n_invoices), side="right")) * 60
    minute = minute + rng.integers(0, 60, n_invoices)
    order = np.argsort(minute, kind="stable")
    kind, owner, size, minute = kind[order], owner[order], size[order], minute[order]
    country = np.where(
        owner >= 0,
        customers.country[np.maximum(owner, 0)] if len(customers.country) else 0,
        np.searchsorted(guest_country_cdf, rng.random(n_invoices), side="right"),
    )
    prefix = np.where(kind == _CANCELLATION, "C", np.where(kind == _BAD_DEBT, "A", ""))
    digits = pc.cast(pa.array(invoice_number + np.arange(n_invoices)), pa.string())
    number = pc.binary_join_element_wise(pa.array(prefix, pa.string()), digits, "")
    invoiced_at = np.datetime64(day, "m") + minute.astype("timedelta64[m]")
    return _Invoices(kind, owner, size, number, invoiced_at, country)


def _product_lines(
    rng: np.random.Generator,
    invoices: _Invoices,
    customers: _Customers,
    catalogue: _Catalogue,
    n_active: int,
) -> _Lines:
    """Distinct products per invoice, pack-size quantities, trade or list prices."""
    line_invoice = np.repeat(np.arange(len(invoices.size)), invoices.size)
    line_owner = invoices.owner[line_invoice]
    item = _distinct_products(rng, catalogue.popularity_cdf, line_invoice)
    price = catalogue.price[item].copy()
    guest = line_owner < 0
    habit = np.where(
        guest,
        GUEST_QUANTITY_POWER,
        customers.quantity_power[np.maximum(line_owner, 0)] if n_active else 1.0,
    )
    quantity = _draw_quantities(rng, price, habit)
    bulk = (quantity >= 12) & (rng.random(len(line_invoice)) < 0.4)
    price[bulk] = np.round(price[bulk] * BULK_DISCOUNT, 2)
    price[guest] = np.round(price[guest] * GUEST_PRICE_MARKUP, 2)
    return _Lines(line_invoice, invoices.kind[line_invoice], line_owner, item, quantity, price)


def _replace_with_service_codes(
    rng: np.random.Generator, lines: _Lines, catalogue: _Catalogue
) -> None:
    """Service codes replace a share of lines, at the real rate for each kind of invoice."""
    for kind_code, column in _SERVICE_KINDS:
        rows = np.flatnonzero(lines.kind == kind_code)
        rates = np.array([getattr(s, f"{column}_lines") for s in SERVICE_CODES], float)
        rates /= _KIND_LINES[column]
        pick = np.searchsorted(np.cumsum(rates), rng.random(len(rows)), side="right")
        hit = pick < len(SERVICE_CODES)
        rows, pick = rows[hit], pick[hit]
        lines.item[rows] = catalogue.service_offset + pick
        lines.quantity[rows] = 1
        service_price = rng.lognormal(
            np.log(catalogue.service_price_median[pick]), catalogue.service_price_sigma[pick]
        )
        # PADS is priced at 0.001 in the real file: keep three decimals for sub-penny prices.
        lines.price[rows] = np.where(
            service_price < 0.01, np.round(service_price, 3), np.round(service_price, 2)
        )


def _apply_invoice_kinds(rng: np.random.Generator, lines: _Lines, catalogue: _Catalogue) -> None:
    """Cancellations negate quantities; adjustments are free, some negative, some blank;
    bad-debt lines carry the bad-debt code at a large negative price."""
    n_lines = len(lines.kind)
    cancellation = lines.kind == _CANCELLATION
    lines.quantity[cancellation] = -lines.quantity[cancellation]
    adjustment = lines.kind == _ADJUSTMENT
    lines.price[adjustment] = 0.0
    flip = adjustment & (rng.random(n_lines) < P_ADJUSTMENT_NEGATIVE)
    lines.quantity[flip] = -lines.quantity[flip]
    lines.no_description = adjustment & (rng.random(n_lines) < P_ADJUSTMENT_NO_DESCRIPTION)
    bad_debt = lines.kind == _BAD_DEBT
    lines.item[bad_debt] = catalogue.bad_debt_index
    lines.quantity[bad_debt] = 1
    lines.price[bad_debt] = -np.round(rng.lognormal(np.log(11062.06), 0.1, bad_debt.sum()), 2)


def _duplicated_rows(rng: np.random.Generator, n_duplicates: int, n_lines: int) -> np.ndarray:
    """Row order with chosen lines repeated right after themselves, as the shop's system did."""
    repeat = np.ones(n_lines, np.int64)
    if n_duplicates and n_lines:
        sources = rng.choice(n_lines, size=min(n_duplicates, n_lines), replace=False)
        np.add.at(repeat, sources, 1)
    return np.repeat(np.arange(n_lines), repeat)


def _day_table(
    invoices: _Invoices,
    lines: _Lines,
    customers: _Customers,
    catalogue: _Catalogue,
    country_names: list[str],
    has_customers: bool,
) -> pa.Table:
    """The lines as a table in the published file's schema."""
    customer_id = (
        customers.customer_id[np.maximum(lines.owner, 0)] if has_customers else lines.owner
    )
    return pa.table(
        {
            "InvoiceNo": invoices.number.take(pa.array(lines.invoice)),
            "StockCode": catalogue.codes.take(pa.array(lines.item)),
            "Description": catalogue.descriptions.take(
                pa.array(lines.item, mask=lines.no_description)
            ),
            "Quantity": pa.array(lines.quantity, pa.int64()),
            "InvoiceDate": pa.array(invoices.invoiced_at[lines.invoice].astype("datetime64[us]")),
            "UnitPrice": pa.array(lines.price, pa.float64()),
            "CustomerID": pa.array(customer_id, pa.int64(), mask=lines.owner < 0),
            "Country": pa.array(country_names, pa.string()).take(
                pa.array(invoices.country[lines.invoice])
            ),
        },
        schema=SCHEMA,
    )


def _generate_day(
    day_index: int,
    day: dt.date,
    budget: int,
    seed: int,
    customers: _Customers,
    catalogue: _Catalogue,
    country_names: list[str],
    guest_country_cdf: np.ndarray,
    invoice_number: int,
) -> tuple[pa.Table, int]:
    """All lines of one trading day; returns the table and the next free invoice number.

    The day draws from its own random stream, seeded by ``(seed, day)``, in a fixed order
    of steps: reordering them changes the generated file.
    """
    rng = np.random.default_rng([seed, day_index + 1])
    n_active = int(customers.active_until_day[day_index])
    first_new = customers.active_until_day[day_index - 1] if day_index else 0
    newcomers = np.arange(first_new, n_active, dtype=np.int64)
    mix = _day_mix(rng, budget, has_customers=n_active > 0)
    drawn = _draw_invoices(rng, mix, customers, n_active, newcomers)
    invoices = _invoice_headers(rng, drawn, day, customers, guest_country_cdf, invoice_number)
    lines = _product_lines(rng, invoices, customers, catalogue, n_active)
    _replace_with_service_codes(rng, lines, catalogue)
    _apply_invoice_kinds(rng, lines, catalogue)
    rows = _duplicated_rows(rng, mix.duplicates, len(lines.invoice))
    table = _day_table(invoices, lines, customers, catalogue, country_names, n_active > 0)
    return table.take(pa.array(rows)), invoice_number + len(invoices.size)


SCHEMA = pa.schema(
    [
        ("InvoiceNo", pa.string()),
        ("StockCode", pa.string()),
        ("Description", pa.string()),
        ("Quantity", pa.int64()),
        ("InvoiceDate", pa.timestamp("us")),
        ("UnitPrice", pa.float64()),
        ("CustomerID", pa.int64()),
        ("Country", pa.string()),
    ]
)
"""Columns and types of the published file (as in the reference Parquet)."""


def generate(
    path: str | Path,
    n_lines: int = 541_909,
    n_customers: int = 4_372,
    seed: int = 42,
    chunk_lines: int = 2_000_000,
    progress: bool = True,
) -> Path:
    """Write a synthetic Online Retail file of exactly ``n_lines`` lines to ``path`` (Parquet).

    Deterministic for ``(n_lines, n_customers, seed)``; ``chunk_lines`` only sets how many
    lines are buffered before a Parquet row group is written (see the module docstring), so
    it bounds memory without changing the rows. Customers that the line budget leaves no
    room for (tiny ``n_lines`` with many customers) simply do not appear. Written atomically.
    """
    if n_lines < 0 or n_customers < 0 or chunk_lines < 1:
        raise ValueError("n_lines and n_customers must be >= 0 and chunk_lines >= 1")
    path = Path(path)
    rng = np.random.default_rng([seed, 0])
    days = _trading_days()
    budgets = rng.multinomial(n_lines, _month_weights(days, MONTH_LINES, weekday=True))
    country_names = sorted(set(CUSTOMER_COUNTRIES) | set(GUEST_COUNTRIES))
    guest_shares = np.array([GUEST_COUNTRIES.get(c, 0) for c in country_names], float)
    guest_country_cdf = np.cumsum(guest_shares) / guest_shares.sum()
    catalogue = _build_catalogue(rng)
    customers = _build_customers(rng, n_customers, len(days), days, country_names)

    invoice_number, buffered, buffered_lines = FIRST_INVOICE_NUMBER, [], 0
    with (
        atomic_path(path) as temporary,
        pq.ParquetWriter(temporary, SCHEMA) as writer,
        tqdm(
            total=n_lines, unit="line", unit_scale=True, desc="Synthetic data", disable=not progress
        ) as bar,
    ):
        for index, (day, budget) in enumerate(zip(days, budgets, strict=True)):
            table, invoice_number = _generate_day(
                index,
                day,
                int(budget),
                seed,
                customers,
                catalogue,
                country_names,
                guest_country_cdf,
                invoice_number,
            )
            buffered.append(table)
            buffered_lines += table.num_rows
            bar.update(table.num_rows)
            if buffered_lines >= chunk_lines or index == len(days) - 1:
                chunk = pa.concat_tables(buffered)
                writer.write_table(chunk, row_group_size=max(chunk.num_rows, 1))
                buffered, buffered_lines = [], 0
    return path
