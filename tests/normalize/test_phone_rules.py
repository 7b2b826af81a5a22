import random

import polars as pl
import pytest

from ingest.normalize import canonical_frame
from ingest.normalize.phone import _fast_path, library_parse


def _phone(raw: str | None, country: str | None = None) -> dict:
    frame = pl.DataFrame({"phone": [raw], "country": [country]}, schema={"phone": pl.String, "country": pl.String})
    return canonical_frame(frame).row(0, named=True)


@pytest.mark.parametrize(
    ("raw", "country", "e164", "kind"),
    [
        ("030/1234567", None, "+49301234567", "fixed"),
        ("0049 30 1234567", None, "+49301234567", "fixed"),
        ("(0 30) 12 34 56-7", None, "+49301234567", "fixed"),
        ("+49 (0)30 1234567", None, "+49301234567", "fixed"),
        ("0221-98765432", "Deutschland", "+4922198765432", "fixed"),
        ("0151 23456789", "DE", "+4915123456789", "mobile"),
        ("+49 171 3091869", None, "+491713091869", "mobile"),
        ("01 5123456", "Österreich", "+4315123456", "fixed"),
        ("044 668 18 00", "Schweiz", "+41446681800", "fixed"),
        ("+31 20 123 4567", "DE", "+31201234567", "fixed"),
        ("+1 (415) 555-2671", None, "+14155552671", "other"),
        ("0800 1234567", None, "+498001234567", "other"),
    ],
)
def test_phone_parses_to_e164_with_type(raw, country, e164, kind):
    row = _phone(raw, country)
    assert (row["phone"], row["phone_valid"], row["phone_type"], row["phone_raw"]) == (e164, True, kind, raw)


@pytest.mark.parametrize(
    "raw",
    # The last two have 16 digits with the country code: more than E.164 allows, though the DE
    # fixed-line metadata accepts the national part.
    ["1234567", "0049 30", "keine Angabe", "+49 123", "n/a", "+49 30 123456789012", "030 123456789012"],
)
def test_unparseable_or_invalid_phone_is_flagged_and_kept_raw(raw):
    row = _phone(raw)
    assert row["phone"] is None and row["phone_valid"] is False and row["phone_type"] is None
    assert row["phone_raw"] == raw


def test_mobile_number_is_used_when_the_direct_line_is_invalid():
    frame = pl.DataFrame({"phone": ["12"], "mobile_phone": ["0171 1234567"]})
    row = canonical_frame(frame).row(0, named=True)
    assert (row["phone"], row["phone_raw"], row["phone_type"]) == ("+491711234567", "0171 1234567", "mobile")


def test_fast_path_agrees_with_phonenumbers_library():
    rng = random.Random(20261123)
    layouts = ["0{a} {b}", "+49 {a} {b}", "+49 (0){a} {b}", "+43 (0) {a} {b}", "0049{a}{b}", "+43 {a} {b}", "0{a}/{b}", "+41{a}{b}", "(0{a}) {b}-1"]
    numbers = [
        (rng.choice(layouts).format(a=rng.randint(1, 9999), b=rng.randint(1000, 99999999)), rng.choice(["DE", "AT", "CH"]))
        for _ in range(3000)
    ]
    frame = pl.DataFrame(numbers, schema={"raw": pl.String, "region": pl.String}, orient="row").unique()
    decided = _fast_path(frame).filter(pl.col("type").is_not_null())
    assert decided.height > 300  # the fast path must actually take a share of the work
    for raw, region, e164, kind in decided.iter_rows():
        assert library_parse(raw, region) == (e164, True, kind), raw
