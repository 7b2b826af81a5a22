from datetime import date, datetime

import polars as pl
import pytest

from ingest.normalize import date_expr, number_expr, timestamp_expr
from ingest.normalize.dates import date_issue_expr


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2025-03-04T10:22:11+01:00", "ISO", datetime(2025, 3, 4, 9, 22, 11)),
        ("2025-03-04T10:22:11.000+0000", "ISO", datetime(2025, 3, 4, 10, 22, 11)),
        ("2025-07-04 10:22", "ISO", datetime(2025, 7, 4, 8, 22)),  # naive = Europe/Berlin (summer)
        ("04.03.2025", "DMY", datetime(2025, 3, 3, 23, 0)),
        ("3/4/2025", "MDY", datetime(2025, 3, 4 - 1, 23, 0)),
        ("31.02.2025", "DMY", None),
        ("", "ISO", None),
    ],
)
def test_timestamps_become_utc(text, order, expected):
    assert pl.select(timestamp_expr(pl.lit(text), order)).item() == expected


def test_birth_dates_keep_the_calendar_day():
    assert pl.select(date_expr(pl.lit("04.03.1980"), "DMY")).item() == date(1980, 3, 4)


@pytest.mark.parametrize(
    ("text", "issue"),
    [("31.02.1980", "birth_date:impossible"), ("01.01.1850", "birth_date:impossible"),
     ("01.01.2030", "birth_date:future"), ("04.03.1980", None), (None, None)],
)
def test_impossible_and_future_dates_are_flagged(text, issue):
    now = datetime(2026, 11, 23)
    raw = pl.lit(text, pl.String)
    assert pl.select(date_issue_expr("birth_date", raw, date_expr(raw, "DMY"), now)).item() == issue


@pytest.mark.parametrize(
    ("text", "decimal", "thousands", "value"),
    [("0,45", ",", ".", 0.45), ("1.098", ",", ".", 1098.0), ("1,098", ".", ",", 1098.0), ("0.38", ".", "", 0.38),
     ("12 €", ",", ".", 12.0), ("viele", ".", ",", None)],
)
def test_numbers_follow_the_contract_separators(text, decimal, thousands, value):
    assert pl.select(number_expr(pl.lit(text), decimal, thousands)).item() == value


@pytest.mark.parametrize(
    ("values", "declared", "expected"),
    [
        # An ambiguous value is read in the order its column proves, whatever the contract says.
        (["3/4/2025", "13/4/2025"], "MDY", [datetime(2025, 4, 3), datetime(2025, 4, 13)]),
        (["3/4/2025", "4/13/2025"], "DMY", [datetime(2025, 3, 4), datetime(2025, 4, 13)]),
        # Nothing proves an order: the declared one decides.
        (["3/4/2025", "5/6/2025"], "MDY", [datetime(2025, 3, 4), datetime(2025, 5, 6)]),
        (["3/4/2025", "5/6/2025"], "DMY", [datetime(2025, 4, 3), datetime(2025, 6, 5)]),
        # Two-digit years, several shapes in one column.
        (["2/5/24 1:51", "2/20/24 11:30"], "ISO", [datetime(2024, 2, 5, 1, 51), datetime(2024, 2, 20, 11, 30)]),
        (["05.02.24", "25.12.24"], "ISO", [datetime(2024, 2, 5), datetime(2024, 12, 25)]),
        # Dashes as a Salesforce report saved from a spreadsheet writes them ("26-05-2021 17:27").
        (["06-08-2020 15:38", "26-05-2021 17:27"], "MDY",
         [datetime(2020, 8, 6, 15, 38), datetime(2021, 5, 26, 17, 27)]),
        (["06-08-2020", "08-26-2020"], "DMY", [datetime(2020, 6, 8), datetime(2020, 8, 26)]),
    ],
)
def test_day_month_order_is_inferred_from_the_column(values, declared, expected):
    parsed = pl.DataFrame({"t": values}).select(timestamp_expr(pl.col("t"), declared, None, "UTC")).to_series()
    assert parsed.to_list() == expected


def test_a_two_digit_year_is_never_read_as_a_year_of_the_first_century():
    parsed = pl.select(timestamp_expr(pl.lit("4/5/24"), "MDY", None, "UTC")).item()
    assert parsed == datetime(2024, 4, 5)


def test_a_month_first_source_still_reads_dotted_european_dates():
    parsed = pl.DataFrame({"t": ["05.02.2024 10:00", "2/5/2024"]}).select(
        timestamp_expr(pl.col("t"), "MDY", None, "UTC")).to_series()
    assert parsed.to_list() == [datetime(2024, 2, 5, 10, 0), datetime(2024, 2, 5)]
