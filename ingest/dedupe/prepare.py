"""Comparison columns: the folded, phonetic and abbreviated forms the matcher compares.

Works on whichever canonical columns a frame has; a missing column becomes all-null, so the
engine runs on names + address only, e-mail only, company + phone, and so on.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from ingest.dedupe.config import RULES_PATH, DedupeConfig
from ingest.dedupe.phonetics import fold_each, fold_text, koelner_column
from ingest.normalize.text import bind_distinct

NICKNAMES_PATH = RULES_PATH.parent / "nicknames.csv"
STREET_ABBREVIATIONS_PATH = RULES_PATH.parent / "street_abbreviations.csv"

# Canonical columns the comparison may use; all optional except record_id.
CANONICAL_INPUTS = (
    "first_name", "last_name", "email", "email_match_key", "email_is_role", "phone",
    "phone_raw", "phone_valid", "company", "company_key", "street", "house_number",
    "postcode", "city", "birth_date", "crm_id", "source_system", "email_is_freemail", "phone_type",
)


@cache
def nickname_table() -> pl.DataFrame:
    return pl.read_csv(NICKNAMES_PATH, schema={"nickname": pl.String, "canonical": pl.String})


@cache
def street_abbreviations() -> tuple[tuple[str, str], ...]:
    table = pl.read_csv(STREET_ABBREVIATIONS_PATH, schema={"pattern": pl.String, "replacement": pl.String})
    return tuple(table.iter_rows())


def _with_missing_columns(records: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in CANONICAL_INPUTS if c not in records.columns]
    return records.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in missing])


def _street_fold(expr: pl.Expr) -> pl.Expr:
    """Folded street name with abbreviations spelled out, once per distinct street."""

    def build(street: pl.Expr) -> pl.Expr:
        folded = fold_each(street)
        for pattern, replacement in street_abbreviations():
            folded = folded.str.replace_all(pattern, replacement)
        return folded.str.replace_all(" ", "", literal=True)

    return bind_distinct(build, pl.String, expr.cast(pl.String))


def _digits(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.replace_all(r"\D", "")


def comparison_frame(records: pl.DataFrame, config: DedupeConfig) -> pl.DataFrame:
    """One row per record (same order), with `idx` and every comparison/blocking column."""
    frame = _with_missing_columns(records).with_row_index("idx")
    street_text = pl.col("street").cast(pl.String)
    trailing_number = street_text.str.extract(r"(\d+\s*[a-zA-Z]?)\s*$", 1)
    email_key = pl.coalesce(
        pl.col("email_match_key").cast(pl.String),
        pl.col("email").cast(pl.String).str.strip_chars().str.to_lowercase(),
    )
    role_local = email_key.str.split("@").list.first().str.replace_all(r"[^a-z]", "").is_in(
        list(config.role_local_parts)
    )
    is_role = pl.col("email_is_role").cast(pl.Boolean, strict=False).fill_null(role_local)
    phone_ok = pl.col("phone_valid").cast(pl.Boolean, strict=False).fill_null(True)
    phone_digits = _digits(pl.coalesce(pl.col("phone").cast(pl.String), pl.col("phone_raw").cast(pl.String)))
    prepared = frame.select(
        "idx",
        pl.col("record_id").cast(pl.String),
        fn_fold=fold_text(pl.col("first_name")),
        ln_fold=fold_text(pl.col("last_name")),
        email_key=pl.when(is_role.not_()).then(email_key),
        phone=pl.when(phone_ok).then(pl.col("phone").cast(pl.String)),
        phone_type=pl.when(phone_ok).then(pl.col("phone_type").cast(pl.String)),
        phone_tail=pl.when(phone_digits.str.len_chars() >= 7).then(phone_digits.str.slice(-7)),
        # A business e-mail domain names the company when the record itself does not.
        company_key=pl.coalesce(
            pl.col("company_key").cast(pl.String),
            fold_text(pl.col("company")),
            pl.when(pl.col("email_is_freemail").cast(pl.Boolean, strict=False).not_() & is_role.not_())
            .then(fold_text(email_key.str.extract(r"@([^@]+)\.[a-z]+$", 1))),
        ),
        street_fold=_street_fold(
            pl.when(pl.col("house_number").is_null())
            .then(street_text.str.replace(r"(\d+\s*[a-zA-Z]?)\s*$", ""))
            .otherwise(street_text)
        ),
        house_number=pl.coalesce(pl.col("house_number").cast(pl.String), trailing_number)
        .str.to_lowercase()
        .str.replace_all(r"\s", ""),
        postcode=pl.col("postcode").cast(pl.String).str.strip_chars().str.replace_all(r"\s", ""),
        city_fold=fold_text(pl.col("city")),
        birth_date=pl.col("birth_date").cast(pl.String),
        crm_key=pl.when(pl.col("crm_id").is_not_null()).then(
            pl.concat_str(pl.col("source_system").cast(pl.String).fill_null(""), pl.lit("|"), pl.col("crm_id").cast(pl.String))
        ),
    )
    nick = nickname_table()
    prepared = prepared.with_columns(
        fn_canon=pl.col("fn_fold").replace(nick["nickname"], nick["canonical"]),
        fn_token_canon=pl.col("fn_fold").str.extract(r"^(\S+)\s", 1).replace(nick["nickname"], nick["canonical"]),
        fn_phon=koelner_column(prepared["fn_fold"]),
        ln_phon=koelner_column(prepared["ln_fold"]),
        email_local=pl.col("email_key").str.split("@").list.first(),
        email_domain=pl.col("email_key").str.split("@").list.get(1, null_on_oob=True),
    ).with_columns(
        fn_initial=pl.col("fn_fold").str.slice(0, 1),
        name_pair=pl.when(pl.col("fn_phon").is_not_null() & pl.col("ln_phon").is_not_null()).then(
            pl.concat_str(
                pl.min_horizontal("fn_phon", "ln_phon"), pl.lit("|"), pl.max_horizontal("fn_phon", "ln_phon")
            )
        ),
        # The start of the street ("1754wdevon" of "1754wdevonavenue"): a blocking key that
        # survives a dropped street type or a missing house number.
        street_prefix=pl.col("street_fold").str.slice(0, 8),
        # Parts of a double surname, and the birth date as a number (one digit off is one
        # digit times a power of ten apart), for comparisons that stay cheap per pair.
        ln_first=pl.col("ln_fold").str.extract(r"^(\S+)", 1),
        ln_last=pl.col("ln_fold").str.extract(r"(\S+)$", 1),
        date_number=pl.col("birth_date").str.replace_all("-", "").cast(pl.Int64, strict=False),
        street_key=pl.when(pl.col("street_fold").is_not_null()).then(
            pl.concat_str(pl.col("street_fold"), pl.lit("|"), pl.col("house_number").fill_null(""))
        ),
    )
    prepared = prepared.with_columns(
        full_name=pl.when(pl.col("fn_canon").is_not_null() & pl.col("ln_fold").is_not_null()).then(
            pl.concat_str(pl.col("fn_canon"), pl.lit("|"), pl.col("ln_fold"))
        )
    ).with_columns(
        name_count=pl.when(pl.col("full_name").is_not_null()).then(pl.len().over("full_name")).cast(pl.UInt32)
    )
    prepared = _drop_shared_values(prepared, config)
    # Blocking keys for records without a person's name (sites, companies, accounts): among
    # people they would pair every colleague at one address, which names already cover.
    nameless = pl.col("fn_fold").is_null() & pl.col("ln_fold").is_null()
    prepared = prepared.with_columns(
        site_street=pl.when(nameless).then(pl.col("street_fold")),
        site_street_prefix=pl.when(nameless).then(pl.col("street_prefix")),
        site_company=pl.when(nameless).then(pl.col("company_key")),
        site_phone_tail=pl.when(nameless).then(pl.col("phone_tail")),
    )
    # How many records carry each value: how much an exact agreement on it says (a rare
    # surname agreeing is stronger evidence than a common one). Kept in powers of two, so a
    # record's count moves (and its pairs are compared again) only when its value becomes
    # notably more common (it doubles), not with every new record that shares it.
    return prepared.with_columns(
        pl.when(pl.col(column).is_not_null()).then(
            pl.lit(2.0).pow(pl.len().over(column).cast(pl.Float64).log(2).floor())
        ).cast(pl.Float32).alias(f"freq_{column}")
        for column in FREQUENCY_COLUMNS
    )


# Columns whose value frequencies weigh exact agreements (see compare.TF_FIELDS).
FREQUENCY_COLUMNS = ("fn_fold", "ln_fold", "company_key", "postcode", "city_fold")


def _drop_shared_values(prepared: pl.DataFrame, config: DedupeConfig) -> pl.DataFrame:
    """Forget e-mails and phones that many different last names use (role inboxes, switchboards)."""
    # Sites and companies without a person's name count by their own name.
    name = pl.coalesce(pl.col("ln_phon"), pl.col("company_key"))
    limit = config.shared_value_max_names
    return prepared.with_columns(
        email_key=pl.when(name.n_unique().over("email_key") <= limit).then(pl.col("email_key")),
        email_local=pl.when(name.n_unique().over("email_key") <= limit).then(pl.col("email_local")),
        phone=pl.when(name.n_unique().over("phone") <= limit).then(pl.col("phone")),
        phone_tail=pl.when(name.n_unique().over("phone_tail") <= limit).then(pl.col("phone_tail")),
    )
