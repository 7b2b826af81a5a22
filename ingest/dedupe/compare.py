"""Per-field similarities (0..1, NULL when either side lacks the field) for candidate pairs.

String similarity is Jaro-Winkler from rapidfuzz, computed once per distinct value pair and in
parallel; everything else is Polars expressions over whole columns.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

COMPARED_COLUMNS = (
    "email_key", "email_local", "email_domain", "phone", "phone_type", "phone_tail", "fn_fold", "ln_fold", "fn_canon", "fn_token_canon", "fn_phon", "ln_phon",
    "birth_date", "full_name", "name_count", "company_key", "street_fold", "house_number", "postcode", "city_fold", "crm_key",
)

# Share of each address part in the combined address similarity.
_ADDRESS_PARTS = {"sim_postcode": 0.35, "sim_street": 0.35, "sim_house_number": 0.2, "sim_city": 0.1}


def jaro_winkler(left: pl.Series, right: pl.Series, mask: pl.Series | None = None) -> pl.Series:
    """Element-wise Jaro-Winkler similarity; NULL where either side is NULL (or `mask` is false)."""
    left, right = left.cast(pl.String), right.cast(pl.String)
    present = left.is_not_null() & right.is_not_null()
    if mask is not None:
        present = present & mask
    differing = (present & (left != right)).fill_null(False)
    scores = np.full(len(left), np.nan)
    positions = np.flatnonzero(differing.to_numpy())
    if len(positions):
        # Candidate pairs repeat the same value pairs (cities, common names): score each once.
        pairs = pl.DataFrame({"l": left.gather(positions), "r": right.gather(positions)})
        distinct = pairs.unique()
        distinct = distinct.with_columns(sim=pl.Series(process.cpdist(
            distinct["l"].to_list(), distinct["r"].to_list(),
            scorer=JaroWinkler.normalized_similarity, workers=-1,
        )))
        scores[positions] = pairs.join(distinct, on=["l", "r"], how="left", maintain_order="left")["sim"].to_numpy()
    scores[np.flatnonzero((present & ~differing).fill_null(False).to_numpy())] = 1.0
    return pl.Series("similarity", scores).fill_nan(None)


def _side_by_side(prepared: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    columns = [c for c in COMPARED_COLUMNS if c in prepared.columns]
    left = prepared.select(columns).rename({c: f"{c}_a" for c in columns})[pairs["a"]]
    right = prepared.select(columns).rename({c: f"{c}_b" for c in columns})[pairs["b"]]
    return pl.concat([pairs, left, right], how="horizontal")


def _equal(column: str) -> pl.Expr:
    return pl.col(f"{column}_a") == pl.col(f"{column}_b")


def _either_null(column: str) -> pl.Expr:
    return pl.col(f"{column}_a").is_null() | pl.col(f"{column}_b").is_null()


def compare_pairs(prepared: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Candidate pairs with one `sim_<field>` column per compared field."""
    both = _side_by_side(prepared, pairs)
    jw = {
        name: jaro_winkler(both[f"{name}_a"], both[f"{name}_b"])
        for name in ("email_key", "email_local", "fn_fold", "ln_fold", "company_key", "street_fold", "city_fold")
    }
    # Swapped names only matter where the names do not already agree.
    names_differ = (jw["fn_fold"].fill_null(0) < 0.9) | (jw["ln_fold"].fill_null(0) < 0.9)
    jw_swapped_first = jaro_winkler(both["fn_fold_a"], both["ln_fold_b"], names_differ)
    jw_swapped_last = jaro_winkler(both["ln_fold_a"], both["fn_fold_b"], names_differ)
    both = both.with_columns(
        jw_fn=jw["fn_fold"], jw_ln=jw["ln_fold"], jw_fs=jw_swapped_first, jw_ls=jw_swapped_last
    )

    initial_only = (pl.col("fn_fold_a").str.len_chars() == 1) | (pl.col("fn_fold_b").str.len_chars() == 1)
    first_name = pl.max_horizontal(
        pl.col("jw_fn"),
        pl.when(_equal("fn_canon")).then(1.0),
        pl.when(_equal("fn_phon") & (pl.col("fn_fold_a").str.slice(0, 1) == pl.col("fn_fold_b").str.slice(0, 1))).then(0.85),
        # "Hans-Peter" and "Hans": a double first name shortened to its first part.
        pl.when(
            (pl.col("fn_token_canon_a") == pl.col("fn_canon_b")) | (pl.col("fn_token_canon_b") == pl.col("fn_canon_a"))
        ).then(0.88),
        pl.when(initial_only & (pl.col("fn_fold_a").str.slice(0, 1) == pl.col("fn_fold_b").str.slice(0, 1))).then(0.85),
    )
    last_name = pl.max_horizontal(pl.col("jw_ln"), pl.when(_equal("ln_phon")).then(0.88))
    swapped = (
        (pl.min_horizontal("jw_fs", "jw_ls") >= 0.9)
        & ((pl.col("jw_fs") + pl.col("jw_ls")) > (first_name.fill_null(0) + last_name.fill_null(0)) + 0.2)
    )
    birth_swapped = pl.col("birth_date_a") == pl.concat_str(
        pl.col("birth_date_b").str.slice(0, 5), pl.col("birth_date_b").str.slice(8, 2), pl.lit("-"),
        pl.col("birth_date_b").str.slice(5, 2),
    )
    house_a = pl.col("house_number_a").str.extract(r"^(\d+)", 1)
    house_b = pl.col("house_number_b").str.extract(r"^(\d+)", 1)
    scored = both.with_columns(
        # "tschwarz@" and "tschwarz1@" are two colleagues, not a typo.
        sim_email=pl.when(_equal("email_key")).then(1.0)
        .when(
            pl.col("email_key_a").str.replace_all(r"\d", "") == pl.col("email_key_b").str.replace_all(r"\d", "")
        ).then(0.0)
        # Colleagues share the domain: then only the local parts tell them apart.
        .when(_equal("email_domain")).then(jw["email_local"])
        .otherwise(jw["email_key"]),
        sim_phone=pl.when(_equal("phone")).then(1.0)
        .when(_either_null("phone_tail")).then(None)
        .when(_equal("phone_tail")).then(0.85)
        # A mobile and a landline of one person differ without saying anything.
        .when(~_either_null("phone_type") & ~_equal("phone_type")).then(None)
        .otherwise(0.0),
        sim_first_name=pl.when(swapped).then(pl.col("jw_fs")).otherwise(first_name),
        sim_last_name=pl.when(swapped).then(pl.col("jw_ls")).otherwise(last_name),
        sim_birth_date=pl.when(_either_null("birth_date")).then(None)
        .when(_equal("birth_date")).then(1.0)
        .when(birth_swapped).then(0.8)
        .when(pl.col("birth_date_a").str.slice(0, 4) == pl.col("birth_date_b").str.slice(0, 4)).then(0.3)
        .otherwise(0.0),
        sim_company=jw["company_key"],
        sim_street=jw["street_fold"],
        sim_house_number=pl.when(_either_null("house_number")).then(None)
        .when(_equal("house_number")).then(1.0)
        .when(house_a == house_b).then(0.8)
        .otherwise(0.0),
        sim_postcode=pl.when(_either_null("postcode")).then(None)
        .when(_equal("postcode")).then(1.0)
        .when(pl.col("postcode_a").str.slice(0, 3) == pl.col("postcode_b").str.slice(0, 3)).then(0.5)
        .otherwise(0.0),
        sim_city=jw["city_fold"],
        same_crm_id=_equal("crm_key").fill_null(False),
        same_email=_equal("email_key").fill_null(False),
        same_phone=_equal("phone").fill_null(False),
        names_swapped=swapped.fill_null(False),
        # How many records carry this exact full name (NULL unless both names are identical).
        shared_name_count=pl.when(_equal("full_name")).then(pl.col("name_count_a")),
    )
    weight_sum = pl.sum_horizontal(
        [pl.when(pl.col(c).is_not_null()).then(pl.lit(w)).otherwise(0.0) for c, w in _ADDRESS_PARTS.items()]
    )
    weighted = pl.sum_horizontal([pl.col(c).fill_null(0.0) * w for c, w in _ADDRESS_PARTS.items()])
    has_anchor = pl.col("sim_street").is_not_null() | pl.col("sim_postcode").is_not_null()
    scored = scored.with_columns(
        sim_address=pl.when(has_anchor & (weight_sum > 0)).then(weighted / weight_sum)
    )
    return scored.select(
        "a", "b", "same_crm_id", "same_email", "same_phone", "names_swapped", "shared_name_count",
        *[c for c in scored.columns if c.startswith("sim_")],
    )
