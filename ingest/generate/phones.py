"""Phone numbers valid per libphonenumber metadata, and the many ways people write them.

A number is kept as three parts: country code, national destination code (area code or
mobile prefix without trunk 0) and subscriber number.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from . import reference
from .randomness import pick_weighted

COUNTRY_CODES = {"DE": "49", "AT": "43", "CH": "41"}
FORMAT_COUNT = 10


def _digits(rng: np.random.Generator, lengths: np.ndarray) -> pl.Series:
    """Subscriber numbers of the given lengths that never start with 0 or 1."""
    n = len(lengths)
    first = rng.integers(2, 10, size=n)
    rest = rng.integers(0, 10**8, size=n)  # 8 random digits
    full = pl.Series(first.astype(str)) + pl.Series(rest).cast(pl.Utf8).str.zfill(8)
    return full.str.slice(0, pl.Series(lengths))


def fixed_line_subscriber(rng: np.random.Generator, area_codes: pl.Series, countries: pl.Series) -> pl.Series:
    """Subscriber numbers whose length fits the area code (national number ≤ 11 digits)."""
    area_len = area_codes.str.len_chars().to_numpy()
    ch = (countries == "CH").to_numpy()
    at = (countries == "AT").to_numpy()
    base = np.where(area_len <= 2, 7, np.where(area_len == 3, 6, 5))
    lengths = base + rng.integers(0, 3, size=len(area_len))
    lengths = np.where(at & (area_len == 1), 6 + rng.integers(0, 3, size=len(area_len)), lengths)
    lengths = np.where(ch, 7, lengths)
    return _digits(rng, lengths)


def mobile_numbers(rng: np.random.Generator, countries: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(prefix, subscriber) for mobile numbers in each person's country."""
    prefixes = reference.load("mobile_prefixes")
    n = len(countries)
    out_prefix = np.empty(n, dtype=object)
    out_len = np.zeros(n, dtype=np.int64)
    country_np = countries.to_numpy()
    for country in ("DE", "AT", "CH"):  # three countries, not rows
        mask = country_np == country
        table = prefixes.filter(pl.col("country") == country)
        idx = pick_weighted(rng, int(mask.sum()), reference.probabilities(table))
        out_prefix[mask] = table["prefix"].to_numpy()[idx]
        out_len[mask] = table["sub_len"].to_numpy()[idx]
    return pl.Series(out_prefix.astype(str)), _digits(rng, out_len)


def e164(cc: str, ndc: str, sub: str) -> pl.Expr:
    """'+4930123456' from part columns."""
    return pl.concat_str([pl.lit("+"), pl.col(cc), pl.col(ndc), pl.col(sub)])


# Per format: (text before the country code, use country code?, text before the area code,
# separator before the subscriber number, subscriber grouping).
_FORMATS = {
    0: ("+", True, " ", " ", "plain"),        # +49 30 1234567
    1: ("", False, "0", "/", "plain"),        # 030/1234567
    2: ("00", True, "", "", "plain"),         # 0049301234567
    3: ("", False, "(0", ") ", "plain"),      # (030) 1234567
    4: ("", False, "0", " ", "plain"),        # 030 1234567
    5: ("+", True, "", "", "plain"),          # +49301234567
    6: ("", False, "0", "-", "plain"),        # 030-1234567
    7: ("+", True, " (0)", " ", "plain"),     # +49 (0)30 1234567
    8: ("", False, "(0 ", ") ", "pairs"),     # (0 30) 12 34 56-7
    9: ("+", True, " ", " ", "blocks"),       # +49 30 123 45 67
}


def formatted(cc: str, ndc: str, sub: str, fmt: str) -> pl.Expr:
    """The number written in format ``fmt`` (0..FORMAT_COUNT-1), as people type it."""
    f = pl.col(fmt)

    def part(i: int) -> pl.Expr:
        return f.replace_strict({k: v[i] for k, v in _FORMATS.items()}, return_dtype=pl.Utf8)

    s = pl.col(sub)
    style = part(4)
    paired = s.str.replace_all(r"(\d\d)", "$1 ").str.strip_chars(" ").str.replace(r" (\d)$", "-$1")
    blocks = (s.str.slice(0, 3) + " " + s.str.slice(3, 2) + " " + s.str.slice(5)).str.strip_chars(" ")
    subscriber = pl.when(style == "pairs").then(paired).when(style == "blocks").then(blocks).otherwise(s)
    country = pl.when(f.replace_strict({k: v[1] for k, v in _FORMATS.items()}, return_dtype=pl.Boolean)).then(pl.col(cc)).otherwise(pl.lit(""))
    return pl.concat_str([part(0), country, part(2), pl.col(ndc), part(3), subscriber])
