"""E-mail expressions: cleaning, syntax validation, match key, domain, freemail and role flags.

Validation uses the email-validator library (no network) as the reference. Plain ASCII
addresses that a conservative regular expression accepts are valid for the library too, so they
are decided in Polars; every other distinct address is handed to the library once.
"""

from __future__ import annotations

import polars as pl
from email_validator import EmailNotValidError, validate_email

from ingest.normalize.rulebook import csv_column, load_csv
from ingest.normalize.text import clean_text_expr

_SPECIAL_USE_TLDS = ("arpa", "invalid", "local", "localhost", "onion", "test")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_FAST_VALID = (
    r"^[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:" + _LABEL + r"\.)+[a-z]{2,63}$"
)


def normalize_email_expr(expr: pl.Expr) -> pl.Expr:
    """Trimmed, lower-case address; a leading "mailto:" and surrounding <> are dropped."""
    cleaned = clean_text_expr(expr).str.to_lowercase()
    cleaned = cleaned.str.replace(r"^mailto:", "").str.strip_chars("<> ")
    return pl.when(cleaned.str.len_chars() > 0).then(cleaned)


def _fast_path_valid(emails: pl.Expr) -> pl.Expr:
    local = emails.str.extract(r"^(.*)@[^@]*$", 1)
    tld = emails.str.extract(r"\.([a-z]+)$", 1)
    return (
        emails.str.contains(_FAST_VALID)
        & (local.str.len_bytes() <= 64)
        & (emails.str.len_bytes() <= 254)
        & ~emails.str.contains("--", literal=True)
        & ~tld.is_in(_SPECIAL_USE_TLDS)
    )


def library_email_valid(address: str) -> bool:
    """The reference decision: syntax only, no DNS lookup."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _valid_batch(emails: pl.Series) -> pl.Series:
    frame = pl.DataFrame({"email": emails}).unique().filter(pl.col("email").is_not_null())
    frame = frame.with_columns(valid=_fast_path_valid(pl.col("email")))
    undecided = frame.filter(~pl.col("valid"))["email"]
    decided = pl.DataFrame(
        {"email": undecided, "valid": [library_email_valid(a) for a in undecided.to_list()]},
        schema={"email": pl.String, "valid": pl.Boolean},
    )
    lookup = pl.concat([frame.filter(pl.col("valid")), decided])
    joined = emails.to_frame("email").join(lookup, on="email", how="left", maintain_order="left")
    return joined["valid"].fill_null(False)


def email_valid_expr(normalized_email: pl.Expr) -> pl.Expr:
    """True when the (already normalized) address is syntactically valid; False when missing."""
    return normalized_email.map_batches(
        _valid_batch, return_dtype=pl.Boolean, is_elementwise=False
    )


def email_domain_expr(normalized_email: pl.Expr) -> pl.Expr:
    return normalized_email.str.extract(r"@([^@]+)$", 1)


_ALIASES_FILE = "email_aliases.csv"


def _aliases() -> tuple[dict[str, str], list[str]]:
    """Domain -> provider domain, and the provider domains that ignore dots (email_aliases.csv)."""
    rules = load_csv(_ALIASES_FILE)
    canonical = dict(zip(rules["domain"].to_list(), rules["canonical_domain"].to_list(), strict=True))
    dotless = sorted({c for c, d in zip(rules["canonical_domain"], rules["ignores_dots"], strict=True)
                      if str(d).strip().lower() == "true"})
    return canonical, dotless


def email_match_key_expr(normalized_email: pl.Expr, valid: pl.Expr) -> pl.Expr:
    """One spelling per mailbox; NULL when invalid.

    The plus tag goes (anna+news@x.de -> anna@x.de), provider aliases fold onto one domain and
    dots go where the provider ignores them (x.y@googlemail.com -> xy@gmail.com), by the rules
    in ingest/rules/email_aliases.csv.
    """
    canonical, dotless = _aliases()
    local = normalized_email.str.extract(r"^([^@+]+)(?:\+[^@]*)?@[^@]+$", 1)
    domain = normalized_email.str.extract(r"@([^@]+)$", 1).replace(canonical)
    local = pl.when(domain.is_in(dotless)).then(local.str.replace_all(".", "", literal=True)).otherwise(local)
    key = pl.coalesce(pl.concat_str([local, pl.lit("@"), domain]), normalized_email)
    return pl.when(valid).then(key)


def email_match_key_sql(address: str) -> str:
    """The same key as `email_match_key_expr` as a DuckDB expression over a lower-case address.

    For text only SQL sees, such as the raw line of a quarantined row.
    """
    canonical, dotless = _aliases()

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    raw_domain = f"regexp_extract({address}, '@([^@]+)$', 1)"
    cases = " ".join(f"WHEN {literal(d)} THEN {literal(c)}" for d, c in sorted(canonical.items()))
    domain = f"(CASE {raw_domain} {cases} ELSE {raw_domain} END)" if cases else raw_domain
    local = f"regexp_extract({address}, '^([^@+]+)', 1)"
    if dotless:
        local = f"(CASE WHEN {domain} IN ({', '.join(map(literal, dotless))}) THEN replace({local}, '.', '') ELSE {local} END)"
    return f"({local} || '@' || {domain})"


def email_is_freemail_expr(domain: pl.Expr) -> pl.Expr:
    return domain.is_in(csv_column("freemail_domains.csv", "domain"))


def email_is_role_expr(normalized_email: pl.Expr) -> pl.Expr:
    """Shared mailboxes (info@, sales@, kontakt@ ...) rather than a person's address."""
    local = normalized_email.str.extract(r"^([^@+]+)(?:\+[^@]*)?@", 1)
    return local.is_in(csv_column("role_mailboxes.csv", "local_part"))
