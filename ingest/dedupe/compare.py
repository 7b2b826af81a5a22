"""Per-field similarities (0..1, NULL when either side lacks the field) for candidate pairs.

String similarity is Jaro-Winkler from rapidfuzz, computed once per distinct value pair and in
parallel; everything else is Polars expressions over whole columns.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from ingest.dedupe.config import Cutoffs, DedupeConfig

COMPARED_COLUMNS = (
    "email_key", "email_local", "email_domain", "phone", "phone_type", "phone_tail", "fn_fold", "ln_fold", "fn_canon", "fn_token_canon", "fn_phon", "ln_phon",
    "birth_date", "full_name", "name_count", "company_key", "street_fold", "street_key", "house_number", "ln_first", "ln_last", "date_number", "postcode", "city_fold", "crm_key",
    *(f"freq_{column}" for column in ("fn_fold", "ln_fold", "company_key", "postcode", "city_fold")),
)

# Fields whose exact agreement is weighed by how common the shared value is (term frequency).
TF_FIELDS = {"first_name": "fn_fold", "last_name": "ln_fold", "company": "company_key",
             "postcode": "postcode", "city": "city_fold"}


def jaro_winkler(left: pl.Series, right: pl.Series, mask: pl.Series | None = None) -> pl.Series:
    """Element-wise Jaro-Winkler similarity; NULL where either side is NULL (or `mask` is false)."""
    return _similarity(left, right, mask, JaroWinkler.normalized_similarity)


def _token_set(left: str, right: str, **_: object) -> float:
    return fuzz.token_set_ratio(left, right) / 100.0


def token_set(left: pl.Series, right: pl.Series, mask: pl.Series | None = None) -> pl.Series:
    """Share of words in common, order-free ("Kita St. Lucia Nord" vs "St Lucia Kita" agree)."""
    return _similarity(left, right, mask, _token_set)


def _one_edit_apart(left: pl.Series, right: pl.Series) -> pl.Series:
    """Levenshtein distance of exactly one (a typo, a dropped or doubled character)."""
    return _similarity(left, right, None, Levenshtein.distance) == 1


def _similarity(left: pl.Series, right: pl.Series, mask: pl.Series | None, scorer) -> pl.Series:
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
            scorer=scorer, workers=-1,
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


def _untagged(side: str) -> pl.Expr:
    """An e-mail's local part without its +tag."""
    return pl.col(f"email_local_{side}").str.replace(r"\+.*$", "")


def _bare_local(side: str) -> pl.Expr:
    """An e-mail's local part without its +tag, digits and separators: the name it spells."""
    return _untagged(side).str.replace_all(r"[\d._-]", "")


def _either_null(column: str) -> pl.Expr:
    return pl.col(f"{column}_a").is_null() | pl.col(f"{column}_b").is_null()


def compare_pairs(prepared: pl.DataFrame, pairs: pl.DataFrame, config: DedupeConfig | None = None) -> pl.DataFrame:
    """Candidate pairs with one `sim_<field>` column per compared field and one `lvl_<field>` per
    comparison level, by the cut-offs and partial similarities of `config` (default: those of
    ingest/rules/dedupe.yaml)."""
    config = config or DedupeConfig.load()
    cut, sim = config.cutoffs, config.partial_similarities
    both = _side_by_side(prepared, pairs)
    jw = {
        name: jaro_winkler(both[f"{name}_a"], both[f"{name}_b"])
        for name in ("email_key", "email_local", "fn_fold", "ln_fold", "company_key", "street_fold", "city_fold")
    }
    # Swapped names only matter where the names do not already agree.
    names_differ = (jw["fn_fold"].fill_null(0) < cut.swapped_names) | (jw["ln_fold"].fill_null(0) < cut.swapped_names)
    jw_swapped_first = jaro_winkler(both["fn_fold_a"], both["ln_fold_b"], names_differ)
    jw_swapped_last = jaro_winkler(both["ln_fold_a"], both["fn_fold_b"], names_differ)
    both = both.with_columns(
        jw_fn=jw["fn_fold"], jw_ln=jw["ln_fold"], jw_fs=jw_swapped_first, jw_ls=jw_swapped_last,
        jw_street=jw["street_fold"], jw_city=jw["city_fold"],
    )

    initial_only = (pl.col("fn_fold_a").str.len_chars() == 1) | (pl.col("fn_fold_b").str.len_chars() == 1)
    first_name = pl.max_horizontal(
        pl.col("jw_fn"),
        pl.when(_equal("fn_canon")).then(1.0),
        pl.when(_equal("fn_phon") & (pl.col("fn_fold_a").str.slice(0, 1) == pl.col("fn_fold_b").str.slice(0, 1))).then(sim.first_name_phonetic),
        # "Hans-Peter" and "Hans": a double first name shortened to its first part.
        pl.when(
            (pl.col("fn_token_canon_a") == pl.col("fn_canon_b")) | (pl.col("fn_token_canon_b") == pl.col("fn_canon_a"))
        ).then(sim.first_name_part_of_double),
        pl.when(initial_only & (pl.col("fn_fold_a").str.slice(0, 1) == pl.col("fn_fold_b").str.slice(0, 1))).then(sim.first_initial),
    )
    last_name = pl.max_horizontal(pl.col("jw_ln"), pl.when(_equal("ln_phon")).then(sim.last_name_phonetic))
    swapped = (
        (pl.min_horizontal("jw_fs", "jw_ls") >= cut.swapped_names)
        & ((pl.col("jw_fs") + pl.col("jw_ls")) > (first_name.fill_null(0) + last_name.fill_null(0)) + cut.swapped_margin)
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
        # "anna@" and "anna+shop@" at one domain: one mailbox, sub-addressed.
        .when(_equal("email_domain") & (_untagged("a") == _untagged("b"))).then(1.0 - (1.0 - cut.email_similar) / 2)
        # "juergen.wagner@" and "juergenwagner80+shop@" at one domain: two mailboxes spelling the
        # same name, as namesakes have; they say nothing beyond the names themselves.
        .when(_equal("email_domain") & (_bare_local("a") == _bare_local("b"))).then(None)
        # Colleagues share the domain: then only the local parts tell them apart.
        .when(_equal("email_domain")).then(jw["email_local"])
        .otherwise(jw["email_key"]),
        sim_phone=pl.when(_equal("phone")).then(1.0)
        .when(_either_null("phone_tail")).then(None)
        .when(_equal("phone_tail")).then(sim.phone_last_digits)
        # A mobile and a landline of one person differ without saying anything.
        .when(~_either_null("phone_type") & ~_equal("phone_type")).then(None)
        .otherwise(0.0),
        sim_first_name=pl.when(swapped).then(pl.col("jw_fs")).otherwise(first_name),
        sim_last_name=pl.when(swapped).then(pl.col("jw_ls")).otherwise(last_name),
        sim_birth_date=pl.when(_either_null("birth_date")).then(None)
        .when(_equal("birth_date")).then(1.0)
        .when(birth_swapped).then(sim.birth_day_month_swapped)
        .when(pl.col("birth_date_a").str.slice(0, 4) == pl.col("birth_date_b").str.slice(0, 4)).then(sim.birth_same_year)
        .otherwise(0.0),
        sim_company=pl.max_horizontal(pl.lit(jw["company_key"]), pl.lit(token_set(
            both["company_key_a"], both["company_key_b"], (jw["company_key"] < cut.company_close).fill_null(False)
        ))),
        sim_street=jw["street_fold"],
        sim_house_number=pl.when(_either_null("house_number")).then(None)
        .when(_equal("house_number")).then(1.0)
        .when(house_a == house_b).then(sim.house_number_same_digits)
        .otherwise(0.0),
        sim_postcode=pl.when(_either_null("postcode")).then(None)
        .when(_equal("postcode")).then(1.0)
        .when(pl.col("postcode_a").str.slice(0, 3) == pl.col("postcode_b").str.slice(0, 3)).then(sim.postcode_same_first_three)
        .otherwise(0.0),
        sim_city=jw["city_fold"],
        same_crm_id=_equal("crm_key").fill_null(False),
        same_email=_equal("email_key").fill_null(False),
        same_phone=_equal("phone").fill_null(False),
        names_swapped=swapped.fill_null(False),
        # How many records carry this exact full name (NULL unless both names are identical).
        shared_name_count=pl.when(_equal("full_name")).then(pl.col("name_count_a")),
    )
    # Share of each address part in the combined address similarity.
    address_parts = {f"sim_{part}": share for part, share in sim.address_parts.items()}
    weight_sum = pl.sum_horizontal(
        [pl.when(pl.col(c).is_not_null()).then(pl.lit(w)).otherwise(0.0) for c, w in address_parts.items()]
    )
    weighted = pl.sum_horizontal([pl.col(c).fill_null(0.0) * w for c, w in address_parts.items()])
    has_anchor = pl.col("sim_street").is_not_null() | pl.col("sim_postcode").is_not_null()
    scored = scored.with_columns(
        sim_address=pl.when(has_anchor & (weight_sum > 0)).then(weighted / weight_sum)
    )
    scored = scored.with_columns(postcode_one_edit=_one_edit_apart(both["postcode_a"], both["postcode_b"]))
    scored = scored.with_columns(_levels(cut))
    return scored.select(
        "a", "b", "same_crm_id", "same_email", "same_phone", "names_swapped", "shared_name_count",
        *[c for c in scored.columns if c.startswith("sim_")],
        *[c for c in scored.columns if c.startswith("lvl_") or c.startswith("tf_")],
    )


def _level(*conditions: pl.Expr, present: pl.Expr) -> pl.Expr:
    """The index of the first condition that holds (0 = strongest agreement), the last level when
    none holds, NULL when either side lacks the field (missing says nothing)."""
    level = pl.lit(len(conditions), dtype=pl.Int8)
    for index in reversed(range(len(conditions))):
        level = pl.when(conditions[index].fill_null(False)).then(pl.lit(index, dtype=pl.Int8)).otherwise(level)
    return pl.when(present).then(level)


def _levels(cut: Cutoffs) -> list[pl.Expr]:
    """Comparison levels per field, the discrete outcomes whose evidence the model learns.

    Level 0 is always exact agreement (the level whose evidence is adjusted by how common the
    shared value is); the last level is disagreement.
    """
    both = lambda column: ~_either_null(column)  # noqa: E731
    first_initial = pl.col("fn_fold_a").str.slice(0, 1) == pl.col("fn_fold_b").str.slice(0, 1)
    initial_only = (pl.col("fn_fold_a").str.len_chars() == 1) | (pl.col("fn_fold_b").str.len_chars() == 1)
    swapped = pl.col("names_swapped")
    # "Müller-Lüdenscheidt" and "Müller": one surname part of a double name.
    ln_part = ~_equal("ln_fold") & (
        (pl.col("ln_first_a") == pl.col("ln_first_b")) | (pl.col("ln_last_a") == pl.col("ln_last_b"))
    )
    date_a, date_b = pl.col("birth_date_a"), pl.col("birth_date_b")
    transposed = date_a == pl.concat_str(date_b.str.slice(0, 5), date_b.str.slice(8, 2), pl.lit("-"), date_b.str.slice(5, 2))
    # One digit off: the two dates as numbers differ by one digit times a power of ten.
    digit_steps = [d * 10**k for d in range(1, 10) for k in range(8)]
    date_digits_off = (pl.col("date_number_a") - pl.col("date_number_b")).abs().is_in(digit_steps)
    house_a = pl.col("house_number_a").str.extract(r"^(\d+)", 1)
    house_b = pl.col("house_number_b").str.extract(r"^(\d+)", 1)
    house_same = (pl.col("house_number_a") == pl.col("house_number_b")) | (house_a == house_b)
    house_missing = pl.col("house_number_a").is_null() | pl.col("house_number_b").is_null()
    street_close = pl.col("jw_street") >= cut.street_close
    postcode_near = pl.col("postcode_one_edit")
    return [
        pl.when(swapped).then(pl.lit(2, dtype=pl.Int8)).otherwise(_level(
            _equal("fn_fold"),
            _equal("fn_canon") | (pl.col("fn_token_canon_a") == pl.col("fn_canon_b"))
            | (pl.col("fn_token_canon_b") == pl.col("fn_canon_a")),
            pl.col("jw_fn") >= cut.name_close,
            (pl.col("jw_fn") >= cut.name_similar) | (_equal("fn_phon") & first_initial),
            initial_only & first_initial,
            present=both("fn_fold"),
        )).alias("lvl_first_name"),
        pl.when(swapped).then(pl.lit(2, dtype=pl.Int8)).otherwise(_level(
            _equal("ln_fold"),
            pl.col("jw_ln") >= cut.name_close,
            (pl.col("jw_ln") >= cut.name_similar) | _equal("ln_phon") | ln_part,
            present=both("ln_fold"),
        )).alias("lvl_last_name"),
        _level(_equal("birth_date"), transposed | date_digits_off, date_a.str.slice(0, 4) == date_b.str.slice(0, 4),
               present=both("birth_date")).alias("lvl_birth_date"),
        _level(pl.col("sim_email") >= 1.0, pl.col("sim_email") >= cut.email_similar, present=pl.col("sim_email").is_not_null())
        .alias("lvl_email"),
        _level(pl.col("sim_phone") >= 1.0, pl.col("sim_phone") >= 0.8, present=pl.col("sim_phone").is_not_null())
        .alias("lvl_phone"),
        _level(_equal("company_key"), pl.col("sim_company") >= cut.company_close, pl.col("sim_company") >= cut.company_similar,
               present=both("company_key")).alias("lvl_company"),
        _level(_equal("street_key"), street_close & house_same, street_close & house_missing,
               street_close, present=both("street_fold")).alias("lvl_street"),
        _level(_equal("postcode"), postcode_near, present=both("postcode")).alias("lvl_postcode"),
        # Agreeing postcodes already say "same town": the city then adds nothing of its own.
        pl.when(~(_equal("postcode").fill_null(False))).then(
            _level(_equal("city_fold"), pl.col("jw_city") >= cut.city_close, present=both("city_fold"))
        ).alias("lvl_city"),
        # Neither record names a person (sites, companies): training sessions for such records
        # must not learn from a person record that merely lacks one of its names.
        pl.all_horizontal(
            pl.col(f"{column}_{side}").is_null() for column in ("fn_fold", "ln_fold") for side in "ab"
        ).alias("lvl_no_person"),
        # How common the shared value is, for the exact levels of names, places and companies.
        *[
            pl.when(_equal(column)).then(pl.col(f"freq_{column}_a")).alias(f"tf_{name}")
            for name, column in TF_FIELDS.items()
        ],
    ]

