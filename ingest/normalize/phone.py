"""Phone numbers to E.164 with validity and type (mobile | fixed | other).

The phonenumbers library is the reference. Its own per-region metadata (number patterns and
possible lengths) is evaluated in Polars for numbers written in the usual national or
international forms of the fast-path regions (rules/phone.yaml). Anything that path cannot
decide (no area code, letters, extensions, other regions, numbers the patterns reject) goes to
the library, once per distinct (text, region) pair.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
import polars as pl
from phonenumbers import PhoneMetadata, PhoneNumberType

from ingest.normalize.rulebook import load_yaml

PHONE_STRUCT = pl.Struct({"e164": pl.String, "valid": pl.Boolean, "type": pl.String})
_OTHER_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
)
_TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.MOBILE: "mobile",
}


def _desc_expr(nsn: pl.Expr, desc) -> pl.Expr:
    """Polars version of phonenumbers' _is_number_matching_desc (length, then full pattern)."""
    if desc is None or desc.national_number_pattern is None:
        return pl.lit(False)
    matches = nsn.str.contains(f"^(?:{desc.national_number_pattern})$")
    lengths = [n for n in desc.possible_length if n > 0]
    if lengths:
        matches = matches & nsn.str.len_chars().is_in(lengths)
    return matches


@cache
def _fast_regions() -> dict[str, PhoneMetadata]:
    """Regions the fast path may decide: one region per country code, no parsing transforms."""
    regions = {}
    for region in load_yaml("phone.yaml")["fast_path_regions"]:
        meta = PhoneMetadata.metadata_for_region(region)
        if meta is None or meta.international_prefix != "00" or meta.national_prefix_transform_rule:
            continue
        if len(phonenumbers.region_codes_for_country_code(meta.country_code)) != 1:
            continue
        if meta.national_prefix not in (None, "0") or meta.national_prefix_for_parsing not in (None, "0"):
            continue
        if meta.same_mobile_and_fixed_line_pattern:
            continue
        try:
            for desc in [meta.general_desc, meta.fixed_line, meta.mobile] + [getattr(meta, t) for t in _OTHER_TYPES]:
                if desc is not None and desc.national_number_pattern:
                    re.compile(desc.national_number_pattern)
                    pl.select(pl.lit("1").str.contains(f"^(?:{desc.national_number_pattern})$"))
        except Exception:  # a pattern Polars cannot run: leave the region to the library
            continue
        regions[region] = meta
    return regions


def _region_kinds(part: pl.DataFrame, meta: PhoneMetadata) -> pl.DataFrame:
    """Adds `type`: fixed | mobile where the metadata says so unambiguously, else NULL (library)."""
    nsn = pl.col("nsn")
    flags = part.with_columns(
        _general=_desc_expr(nsn, meta.general_desc),
        _special=pl.any_horizontal([_desc_expr(nsn, getattr(meta, t)) for t in _OTHER_TYPES]),
        _fixed=_desc_expr(nsn, meta.fixed_line),
        _mobile=_desc_expr(nsn, meta.mobile),
    )
    kind = (
        pl.when(~pl.col("_general") | pl.col("_special") | (pl.col("_fixed") & pl.col("_mobile"))).then(None)
        .when(pl.col("_fixed")).then(pl.lit("fixed"))
        .when(pl.col("_mobile")).then(pl.lit("mobile"))
    )
    return flags.with_columns(type=kind).drop("_general", "_special", "_fixed", "_mobile")


def _fast_path(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns e164/type for numbers the metadata decides as fixed or mobile; NULL otherwise."""
    regions = _fast_regions()
    country_codes = {region: str(meta.country_code) for region, meta in regions.items()}
    zero_prefix = [r for r, meta in regions.items() if meta.national_prefix == "0"]
    text = pl.col("raw").str.strip_chars()
    steps = frame.with_columns(
        plain=text.str.contains(r"^\+?[\d\s/().\-]+$"),
        digits=text.str.replace_all(r"\D", ""),
        plus=text.str.starts_with("+"),
    ).with_columns(
        international=pl.col("plus") | pl.col("digits").str.starts_with("00"),
        intl=pl.when(pl.col("plus")).then(pl.col("digits")).otherwise(pl.col("digits").str.slice(2)),
    )
    by_code = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for region, code in country_codes.items():
        by_code = by_code.when(pl.col("intl").str.starts_with(code)).then(pl.lit(region))
    steps = steps.with_columns(
        fast_region=pl.when(~pl.col("plain")).then(None)
        .when(pl.col("international")).then(by_code)
        .when(pl.col("region").is_in(zero_prefix) & pl.col("digits").str.starts_with("0"))
        .then(pl.col("region"))
    ).with_columns(
        nsn=pl.when(pl.col("international"))
        .then(
            pl.col("intl").str.slice(
                pl.col("fast_region").replace_strict(country_codes, default="").str.len_chars()
            )
        )
        .otherwise(pl.col("digits").str.slice(1))
    )
    empty = pl.lit(None, pl.String)
    parts = [steps.filter(pl.col("fast_region").is_null()).select("raw", "region", e164=empty, type=empty)]
    for (region,), part in steps.filter(pl.col("fast_region").is_not_null()).group_by(["fast_region"]):
        meta = regions[region]
        # "+49 (0)30 ..." writes the trunk zero in brackets; the library drops it, so do we.
        trunk_zero = pl.col("international") & pl.col("raw").str.contains("(0)", literal=True)
        written = pl.when(trunk_zero & pl.col("nsn").str.starts_with("0")).then(pl.col("nsn").str.slice(1)).otherwise(pl.col("nsn"))
        part = part.with_columns(nsn=pl.when(~written.str.starts_with("0")).then(written))
        part = _region_kinds(part, meta)
        parts.append(
            part.select(
                "raw",
                "region",
                e164=pl.when(pl.col("type").is_not_null()).then(pl.lit("+" + country_codes[region]) + pl.col("nsn")),
                type="type",
            )
        )
    return pl.concat(parts)


def library_parse(raw: str, region: str) -> tuple[str | None, bool, str | None]:
    """The reference: (E.164 or None when invalid, valid, mobile|fixed|other|None)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None, False, None
    if not phonenumbers.is_valid_number(number):
        return None, False, None
    kind = _TYPE_NAMES.get(phonenumbers.number_type(number), "other")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), True, kind


def _parse_batch(pairs: pl.Series) -> pl.Series:
    frame = pairs.struct.unnest().rename({pairs.struct.fields[0]: "raw", pairs.struct.fields[1]: "region"})
    distinct = frame.unique().filter(pl.col("raw").is_not_null())
    distinct = distinct.with_columns(pl.col("region").fill_null("DE"))
    fast = _fast_path(distinct)
    solved = fast.filter(pl.col("type").is_not_null()).with_columns(valid=pl.lit(True))
    rest = fast.filter(pl.col("type").is_null())
    results = [library_parse(r, g) for r, g in zip(rest["raw"].to_list(), rest["region"].to_list(), strict=True)]
    slow = pl.DataFrame(
        {
            "raw": rest["raw"],
            "region": rest["region"],
            "e164": [r[0] for r in results],
            "valid": [r[1] for r in results],
            "type": [r[2] for r in results],
        },
        schema={"raw": pl.String, "region": pl.String, "e164": pl.String, "valid": pl.Boolean, "type": pl.String},
    )
    lookup = pl.concat([solved.select(slow.columns), slow])
    # E.164 allows at most 15 digits with the country code (ITU-T E.164, section 6); the
    # metadata of some regions (DE fixed lines) still accepts longer national numbers.
    too_long = pl.col("e164").str.len_chars() > load_yaml("phone.yaml")["e164_max_digits"] + 1
    lookup = lookup.with_columns(
        e164=pl.when(too_long).then(None).otherwise(pl.col("e164")),
        valid=pl.when(too_long).then(False).otherwise(pl.col("valid")),
        type=pl.when(too_long).then(None).otherwise(pl.col("type")),
    )
    joined = frame.with_columns(pl.col("region").fill_null("DE")).with_row_index("_i").join(
        lookup, on=["raw", "region"], how="left"
    ).sort("_i")
    joined = joined.with_columns(
        pl.when(pl.col("raw").is_not_null()).then(pl.col("valid").fill_null(False))
    )
    return joined.select(pl.struct(e164="e164", valid="valid", type="type")).to_series().alias(pairs.name)


def parse_phone_expr(raw: pl.Expr, region: pl.Expr) -> pl.Expr:
    """Struct {e164, valid, type} for a cleaned phone text and an ISO region (default DE)."""
    return pl.struct(raw=raw, region=region).map_batches(
        _parse_batch, return_dtype=PHONE_STRUCT, is_elementwise=False
    )


def clean_phone_text_expr(expr: pl.Expr) -> pl.Expr:
    """Trimmed phone text; placeholders without any digit become NULL."""
    text = expr.cast(pl.String).str.replace_all(r"[\s\u00a0]+", " ").str.strip_chars()
    return pl.when(text.str.contains(r"\d")).then(text)
