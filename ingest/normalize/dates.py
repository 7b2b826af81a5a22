"""Source timestamps and dates to UTC, with impossible or future values flagged, not dropped."""

from __future__ import annotations

import json
from datetime import date, datetime

import polars as pl

from ingest.normalize.rulebook import load_yaml
from ingest.normalize.text import bind_distinct, clean_text_expr

_US = pl.Datetime("us")


def _rules() -> dict:
    return load_yaml("dates.yaml")


def _layout_order(layout: str) -> str | None:
    """`DMY` or `MDY` for a numeric day/month layout (`%d/%m/%Y`, `%m/%d/%y %H:%M`), else None."""
    day, month = layout.find("%d"), layout.find("%m")
    if day < 0 or month < 0 or "%b" in layout or "%B" in layout or layout.startswith("%Y"):
        return None
    return "DMY" if day < month else "MDY"


def _layouts(
    order: str | None, explicit: str | None, *, with_offset: bool, evidence: str | None = None
) -> list[tuple[str, bool]]:
    """Candidate (layout, has_offset) pairs: the contract's own layouts first, then the built-ins
    for its date order (most specific first). `evidence` is the day/month order the values
    themselves prove (see `_order_evidence`); it overrides the declared order, and layouts of
    the other order are left out, so that an ambiguous `3/4/2025` is read like the `13/4/2025`
    of the same column."""
    formats = _rules()["formats"]
    own = [(layout, "%z" in layout or "%#z" in layout) for layout in json.loads(explicit or "[]")]
    order = evidence or order
    ordered = formats["MDY"] if order == "MDY" else formats["DMY"]
    if order == "MDY":
        # Dotted dates are day first wherever they are written ("05.02.2024"), so a month-first
        # source still reads them.
        ordered = ordered + [layout for layout in formats["DMY"] if "." in layout]
    offset = [(layout, True) for layout in formats["with_offset"]] if with_offset else []
    builtin = [(layout, False) for layout in formats["iso"] + ordered + formats["month_names"]]
    candidates = list(dict.fromkeys(own + offset + builtin))
    if evidence:
        candidates = [c for c in candidates if _layout_order(c[0]) in (None, evidence)]
    return candidates


# A slash or dash date at the start of a value: day and month in either order, then the year.
_NUMERIC_DATE = r"^(\d{1,2})[/-](\d{1,2})[/-]\d{2,4}(?:\D|$)"


def _order_evidence(texts: pl.Series) -> str | None:
    """The day/month order the values prove: `DMY` when some first number exceeds 12 and no
    second one does, `MDY` for the reverse, None when every value is ambiguous or the values
    contradict each other (then the contract's declared order decides)."""
    parts = texts.str.extract_groups(_NUMERIC_DATE).struct.unnest()
    first, second = parts[parts.columns[0]].cast(pl.Int32), parts[parts.columns[1]].cast(pl.Int32)
    day_first = int((first > 12).sum() or 0)
    month_first = int((second > 12).sum() or 0)
    if day_first and not month_first:
        return "DMY"
    if month_first and not day_first:
        return "MDY"
    return None


# German month names and abbreviations as chrono's %b/%B expects them (English).
_GERMAN_MONTHS = {
    r"januar|jän": "Jan", r"februar": "Feb", r"märz|maerz|mär|mrz": "Mar", r"mai": "May",
    r"juni": "Jun", r"juli": "Jul", r"sept": "Sep", r"oktober|okt": "Oct", r"dezember|dez": "Dec",
}


def _english_months(text: pl.Expr) -> pl.Expr:
    for german, english in _GERMAN_MONTHS.items():
        text = text.str.replace_all(rf"(?i)\b(?:{german})\b\.?", english)
    return text


def _parse(
    text: pl.Expr, layout: str, has_offset: bool, *, local_zone: str | None = None, choosing: bool = False
) -> pl.Expr:
    if "%b" in layout or "%B" in layout:
        text = _english_months(text)
    if has_offset:
        aware = text.str.strptime(pl.Datetime("us", "UTC"), layout, strict=False)
        return aware.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    naive = text.str.strptime(_US, layout, strict=False)
    if choosing and "%Y" in layout:
        # chrono's %Y takes any number of digits: "2/5/24" is not the year 24 but a two-digit
        # year, which the %y layouts read. Checked while choosing a shape's layout only: every
        # value of a shape has as many year digits as the sample.
        naive = pl.when(naive.dt.year() >= 1000).then(naive)
    return _local_to_utc(naive, local_zone) if local_zone else naive


_HINTS = ("order", "layouts", "zone")


def _by_shape(values: pl.Series, *, with_offset: bool) -> pl.Series:
    # with_offset: timestamps (offset layouts allowed, local times converted to UTC in the
    # source's zone); otherwise calendar dates read as written.
    """Parse each value with the layout that fits its shape (digits -> 9).

    A column holds few shapes ("99.99.9999", "9999-99-99T99:99:99.999+9999"), so the layout is
    chosen once per shape and contract hints (date order, own layouts, zone) from a sample, and
    every value is parsed once. Values of a known shape that still do not parse (31.02.2025)
    come back NULL.
    """
    frame = values.struct.unnest().with_row_index("_i").with_columns(
        _shape=pl.col("text").str.replace_all(r"\d", "9")
    )
    present = frame.filter(pl.col("text").is_not_null())
    # The values of one contract (same hints) share one day/month order across all their shapes
    # ("2/5/24 1:51" and "2/20/24 11:30" are different shapes of one MDY column).
    # Only slash and dash dates can be read either way (dotted ones are day first everywhere);
    # the shapes say which values those are without looking at each value.
    two_way = present.filter(pl.col("_shape").str.contains(r"^9{1,2}[/-]9{1,2}[/-]9"))
    evidence = {
        tuple(hints): _order_evidence(group["text"])
        for hints, group in two_way.group_by(list(_HINTS))
    }
    keys = present.select("_shape", *_HINTS).unique()
    chosen: list[dict] = []
    for shape, order, layouts, zone in keys.iter_rows():
        same = (pl.col("_shape") == shape) & pl.all_horizontal(
            pl.col(h).eq_missing(v) for h, v in zip(_HINTS, (order, layouts, zone), strict=True)
        )
        sample = frame.filter(same).head(64)
        best, best_count = None, 0
        proven = evidence.get((order, layouts, zone))
        for layout, has_offset in _layouts(order, layouts, with_offset=with_offset, evidence=proven):
            count = sample.select(
                _parse(pl.col("text"), layout, has_offset, choosing=True).is_not_null().sum()
            ).item()
            if count > best_count:
                best, best_count = (layout, has_offset), count
        if best is not None:
            chosen.append(
                {"_shape": shape, "order": order, "layouts": layouts, "zone": zone,
                 "_layout": best[0], "_offset": best[1]}
            )
    picks = pl.DataFrame(
        chosen,
        schema={"_shape": pl.String, "order": pl.String, "layouts": pl.String, "zone": pl.String,
                "_layout": pl.String, "_offset": pl.Boolean},
    )
    frame = frame.join(picks, on=["_shape", *_HINTS], how="left", nulls_equal=True)
    parts = [frame.filter(pl.col("_layout").is_null()).select("_i", out=pl.lit(None, _US))]
    default_zone = _rules()["naive_timezone"]
    for (layout, has_offset, zone), part in frame.filter(pl.col("_layout").is_not_null()).group_by(
        ["_layout", "_offset", "zone"]
    ):
        local_zone = (zone or default_zone) if with_offset else None
        parts.append(part.select("_i", out=_parse(pl.col("text"), layout, has_offset, local_zone=local_zone)))
    return pl.concat(parts).sort("_i")["out"]


def _local_to_utc(local: pl.Expr, zone: str) -> pl.Expr:
    return (
        local.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
    )


def _hint(value: pl.Expr | str | None) -> pl.Expr:
    return value if isinstance(value, pl.Expr) else pl.lit(value, pl.String)


def timestamp_expr(
    text: pl.Expr,
    date_order: pl.Expr | str | None = None,
    layouts: pl.Expr | str | None = None,
    timezone: pl.Expr | str | None = None,
) -> pl.Expr:
    """UTC timestamp (naive TIMESTAMP) from source text; NULL when it cannot be read.

    Text with a UTC offset is converted; text without one is read in the source's `timezone`
    (default: the naive_timezone rule). `layouts` is a JSON list of the contract's own layouts,
    tried before the built-in ones.
    """
    source = pl.struct(
        text=clean_text_expr(text), order=_hint(date_order), layouts=_hint(layouts), zone=_hint(timezone)
    )
    return source.map_batches(lambda v: _by_shape(v, with_offset=True), return_dtype=_US)


def date_expr(
    text: pl.Expr, date_order: pl.Expr | str | None = None, layouts: pl.Expr | str | None = None
) -> pl.Expr:
    """Calendar date (birth dates): no time-zone shift, the day as written."""
    source = pl.struct(
        text=clean_text_expr(text), order=_hint(date_order), layouts=_hint(layouts), zone=_hint(None)
    )
    return source.map_batches(lambda v: _by_shape(v, with_offset=False), return_dtype=_US).dt.date()


def date_issue_expr(field: str, raw: pl.Expr, parsed: pl.Expr, now: datetime) -> pl.Expr:
    """"<field>:impossible" (unreadable or before the earliest plausible date), "<field>:future"."""
    earliest_text = _rules()["earliest"].get(field, _rules()["earliest"]["default"])
    earliest = date.fromisoformat(earliest_text)
    present = clean_text_expr(raw).is_not_null()
    as_dt = parsed.cast(_US)
    too_early = as_dt < pl.lit(datetime.combine(earliest, datetime.min.time()))
    future = as_dt > pl.lit(now.replace(tzinfo=None))
    return (
        pl.when(present & (parsed.is_null() | too_early)).then(pl.lit(f"{field}:impossible"))
        .when(future).then(pl.lit(f"{field}:future"))
    )


def join_issues_expr(issues: list[pl.Expr]) -> pl.Expr:
    """`;`-joined list of issues, NULL when there are none."""
    if not issues:
        return pl.lit(None, pl.String)
    joined = pl.concat_str(issues, separator=";", ignore_nulls=True)
    return pl.when(joined.str.len_chars() > 0).then(joined)


def number_expr(text: pl.Expr, decimal_separator: pl.Expr | str = ".", thousands_separator: pl.Expr | str = ",") -> pl.Expr:
    """Float from source text with the contract's separators ("0,45", "1.098", "1,098")."""
    dec = pl.lit(decimal_separator) if isinstance(decimal_separator, str) else decimal_separator
    thousands = pl.lit(thousands_separator) if isinstance(thousands_separator, str) else thousands_separator
    key = pl.struct(text=text.cast(pl.String), dec=dec, thousands=thousands)
    return bind_distinct(_number, pl.Float64, key)


def _number(key: pl.Expr) -> pl.Expr:
    cleaned = clean_text_expr(key.struct.field("text")).str.replace_all(r"[\s€]|EUR", "")
    comma_decimal = key.struct.field("dec") == ","
    dot_thousands = key.struct.field("thousands") == "."
    as_dot = (
        pl.when(comma_decimal)
        .then(cleaned.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .when(dot_thousands.not_())
        .then(cleaned.str.replace_all(",", "", literal=True))
        .otherwise(cleaned)
    )
    return as_dot.cast(pl.Float64, strict=False)
