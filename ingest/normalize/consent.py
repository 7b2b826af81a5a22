"""Consent as records (core.consent_records) and the per-channel columns derived from them.

Rules (UWG §7, DSGVO): a purchased address counts as consented only with the vendor's proof; a
form checkbox is consent, a double opt-in additionally proves the address belongs to the person
(it is e-mail consent, never phone consent); a CRM opt-out is a refusal, and a refusal always
wins over any grant for the same channel.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from ingest.tables import CONSENT_RECORDS, table

CHANNELS = ("email", "phone", "postal")

CONSENT_SCHEMA = table(CONSENT_RECORDS).polars_schema()

_NULL_TS = pl.lit(None, pl.Datetime("us"))
_NULL_STR = pl.lit(None, pl.String)


def _rows(frame: pl.LazyFrame, *, where: pl.Expr, channel: str, purpose: pl.Expr, status: pl.Expr,
          given_at: pl.Expr, withdrawn_at: pl.Expr, method: pl.Expr, proof_ref: pl.Expr,
          text_version: pl.Expr) -> pl.LazyFrame:
    return frame.filter(where).select(
        consent_id=pl.concat_str([pl.col("record_id"), pl.lit(channel), purpose], separator=":"),
        record_id="record_id",
        channel=pl.lit(channel),
        purpose=purpose,
        status=status,
        given_at=given_at,
        withdrawn_at=withdrawn_at,
        source_kind="source_kind",
        source_system="source_system",
        method=method,
        proof_ref=proof_ref,
        consent_text_version=text_version,
    )


def consent_records(records: pl.LazyFrame) -> pl.LazyFrame:
    """One row per record × channel × purpose where a source states consent or a refusal.

    Expects the parsed consent inputs: consent_email_flag, consent_phone_flag, consent_proof,
    consent_at_ts, doi_id, doi_at_ts, consent_text_version, form_type, created_at (parsed),
    opt_out_email_flag, do_not_call_flag.
    """
    c = pl.col
    kind = c("source_kind")
    form_purpose = pl.when(c("form_type") == "newsletter").then(pl.lit("newsletter")).otherwise(pl.lit("advertising"))
    advertising = pl.lit("advertising")
    parts = []
    # Purchased lists: a "yes" counts only with the vendor's proof; a "no" is a refusal.
    for channel, flag in (("email", "consent_email_flag"), ("phone", "consent_phone_flag")):
        granted = c(flag) & c("consent_proof").is_not_null()
        parts.append(_rows(
            records, where=(kind == "purchased_list") & (granted | c(flag).not_()),
            channel=channel, purpose=advertising,
            status=pl.when(granted).then(pl.lit("granted")).otherwise(pl.lit("denied")),
            given_at=pl.when(granted).then(c("consent_at_ts")), withdrawn_at=_NULL_TS,
            method=pl.lit("vendor_proof"), proof_ref=pl.when(granted).then(c("consent_proof")),
            text_version=_NULL_STR,
        ))
    # Web forms: the e-mail checkbox, proven by a double opt-in where one was confirmed.
    has_doi = c("doi_id").is_not_null()
    parts.append(_rows(
        records, where=(kind == "web_form") & c("consent_email_flag").is_not_null(),
        channel="email", purpose=form_purpose,
        status=pl.when(c("consent_email_flag")).then(pl.lit("granted")).otherwise(pl.lit("denied")),
        given_at=pl.when(c("consent_email_flag")).then(
            pl.when(has_doi).then(pl.coalesce(c("doi_at_ts"), c("created_at"))).otherwise(c("created_at"))
        ),
        withdrawn_at=_NULL_TS,
        method=pl.when(c("consent_email_flag") & has_doi).then(pl.lit("double_opt_in")).otherwise(pl.lit("checkbox")),
        proof_ref=pl.when(c("consent_email_flag") & has_doi).then(c("doi_id")),
        text_version=c("consent_text_version"),
    ))
    parts.append(_rows(
        records, where=(kind == "web_form") & c("consent_phone_flag").is_not_null(),
        channel="phone", purpose=advertising,
        status=pl.when(c("consent_phone_flag")).then(pl.lit("granted")).otherwise(pl.lit("denied")),
        given_at=pl.when(c("consent_phone_flag")).then(c("created_at")), withdrawn_at=_NULL_TS,
        method=pl.lit("checkbox"), proof_ref=_NULL_STR, text_version=c("consent_text_version"),
    ))
    # CRM opt-out fields are refusals.
    for channel, flag in (("email", "opt_out_email_flag"), ("phone", "do_not_call_flag")):
        parts.append(_rows(
            records, where=(kind == "crm_export") & c(flag).fill_null(False),
            channel=channel, purpose=advertising, status=pl.lit("denied"),
            given_at=_NULL_TS, withdrawn_at=_NULL_TS, method=pl.lit("crm_flag"),
            proof_ref=_NULL_STR, text_version=_NULL_STR,
        ))
    return pl.concat(parts, how="vertical").cast(CONSENT_SCHEMA)


def consent_columns(consents: pl.LazyFrame, now: datetime) -> pl.LazyFrame:
    """Per record: c_consent / c_consent_at / c_consent_source / c_consent_proof for each channel.

    A refusal beats a grant; among grants the latest wins. A grant counts only with a time that
    is known and not after `now`: a consent that cannot be dated cannot be proven (DSGVO
    Art. 7(1)), so the channel stays unknown (the consent record itself is kept as delivered).
    Records without rows stay unknown (the caller fills that in after joining).
    """
    refusal = pl.col("status").is_in(["denied", "withdrawn"])
    datable = pl.col("given_at").is_not_null() & (pl.col("given_at") <= now)
    ranked = consents.filter(refusal | datable).with_columns(
        _refusal=refusal,
        _at=pl.coalesce("withdrawn_at", "given_at"),
    ).sort(["record_id", "channel", "_refusal", "_at", "consent_id"], nulls_last=False)
    best = ranked.group_by(["record_id", "channel"]).agg(pl.all().last())
    wide = []
    for channel in CHANNELS:
        wide.append(
            best.filter(pl.col("channel") == channel).select(
                "record_id",
                pl.when(pl.col("_refusal")).then(pl.lit("denied")).otherwise(pl.lit("granted")).alias(f"{channel}_consent"),
                pl.col("_at").alias(f"{channel}_consent_at"),
                pl.concat_str(["source_system", "method"], separator=":").alias(f"{channel}_consent_source"),
                pl.col("proof_ref").alias(f"{channel}_consent_proof"),
            )
        )
    out = wide[0]
    for frame in wide[1:]:
        out = out.join(frame, on="record_id", how="full", coalesce=True)
    return out


def fill_unknown_consent(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.with_columns(
        [pl.col(f"{c}_consent").fill_null(pl.lit("unknown")) for c in CHANNELS]
    )
