"""Per-source value vocabularies: the shared defaults in ingest/rules/ merged with each contract's
own `values:` (ingest/contracts/*.yaml), applied as vectorized lookups keyed by contract.

A Salesforce org's `MQL` status, a Zoho org's `Junk Lead`, a vendor's `Select` placeholder or a
CRM's `TRUE` are facts about one source; the contract says them, the shared rules give the
defaults every contract starts from, and the contract's entries win.
"""

from __future__ import annotations

import json
import re

import polars as pl

from ingest.normalize.rulebook import load_yaml
from ingest.normalize.text import bind_distinct

_SEP = "\x1f"


def value_key(text: str) -> str:
    """How source values compare with map keys: case-insensitive, runs of spaces, hyphens and
    underscores read as one space ("Closed - Converted" = "closed_converted")."""
    return re.sub(r"[\s_\-]+", " ", str(text)).strip().lower()


def placeholder_key(text: str) -> str:
    """Placeholders are punctuation too ("-", "--None--"): only case and whitespace are folded."""
    return re.sub(r"\s+", " ", str(text)).strip().lower()


def _value_key_expr(value: pl.Expr) -> pl.Expr:
    return value.str.replace_all(r"[\s_\-]+", " ").str.strip_chars().str.to_lowercase()


def _keyed(mapping: dict) -> dict[str, object]:
    return {value_key(k): v for k, v in mapping.items()}


def shared_defaults() -> dict:
    """The defaults every contract extends (ingest/rules/marketing.yaml, booleans.yaml, placeholders.yaml)."""
    marketing = load_yaml("marketing.yaml")
    booleans = load_yaml("booleans.yaml")
    return {
        "placeholders": [placeholder_key(p) for p in load_yaml("placeholders.yaml")["placeholders"]],
        "booleans": {
            "true": [value_key(w) for w in booleans[True]],
            "false": [value_key(w) for w in booleans[False]],
        },
        "lifecycle_stage": _keyed(marketing["lifecycle_stage"]),
        "lead_status": _keyed(marketing["lead_status"]),
        "lead_source": _keyed(marketing["lead_sources"]),
        "outcome": _keyed(marketing["outcome"]),
        "last_activity_type": _keyed(marketing.get("last_activity_type") or {}),
        "converted_stage": marketing["converted_stage"],
    }


def merge_maps(own: dict) -> dict:
    """A contract's maps on top of the shared defaults (its entries win)."""
    base = shared_defaults()
    own = own or {}
    booleans = own.get("booleans") or {}
    consent = own.get("consent") or {}
    merged_booleans = {
        side: sorted({*base["booleans"][side], *(value_key(w) for w in booleans.get(side, []))})
        for side in ("true", "false")
    }
    return {
        "placeholders": sorted({*base["placeholders"], *(placeholder_key(p) for p in own.get("placeholders", []))}),
        "booleans": merged_booleans,
        "consent": {
            side: sorted({*merged_booleans[side], *(value_key(w) for w in consent.get(side, []))})
            for side in ("true", "false")
        },
        **{
            name: base[name] | _keyed(own.get(name) or {})
            for name in ("lifecycle_stage", "lead_status", "lead_source", "outcome", "last_activity_type")
        },
        "converted_stage": own.get("converted_stage") or base["converted_stage"],
    }


class ValueMaps:
    """Merged maps for every contract of a normalization run, as Polars expressions."""

    def __init__(self, formats: pl.DataFrame) -> None:
        own = {}
        if "value_maps" in formats.columns:
            own = {row["contract"]: json.loads(row["value_maps"] or "{}") for row in formats.iter_rows(named=True)}
        # Rows of a contract no longer shipped fall back to the shared defaults ("" key).
        self.by_contract = {"": merge_maps({})} | {name: merge_maps(maps) for name, maps in own.items()}

    def _apply(self, mapping: dict, contract: pl.Expr, value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        """Look `value` up under its row's contract (unknown contracts use the shared defaults)."""
        contract_key = pl.when(contract.is_in(list(self.by_contract))).then(contract).otherwise(pl.lit(""))
        key = pl.concat_str([contract_key, pl.lit(_SEP), value.cast(pl.String)])

        def build(k: pl.Expr) -> pl.Expr:
            parts = k.str.split_exact(_SEP, 1)
            normalized = pl.concat_str(
                [parts.struct.field("field_0"), pl.lit(_SEP), _value_key_expr(parts.struct.field("field_1"))]
            )
            return normalized.replace_strict(mapping, default=None, return_dtype=dtype)

        return pl.when(value.is_not_null()).then(bind_distinct(build, dtype, key))

    def _lookup(self, name: str, contract: pl.Expr, value: pl.Expr, dtype: pl.DataType, pick=lambda v: v) -> pl.Expr:
        mapping = {
            f"{c}{_SEP}{key}": pick(target)
            for c, maps in self.by_contract.items()
            for key, target in maps[name].items()
        }
        return self._apply(mapping, contract, value, dtype)

    def stage(self, name: str, contract: pl.Expr, value: pl.Expr) -> pl.Expr:
        """lead | mql | sql | opportunity | customer, `other` for a value no map knows, NULL for none."""
        return pl.when(value.is_not_null()).then(
            self._lookup(name, contract, value, pl.String).fill_null("other")
        )

    def lead_source(self, contract: pl.Expr, value: pl.Expr, part: str) -> pl.Expr:
        """The mapped `detail` or `channel` of a lead-source value, NULL when no map knows it."""
        return self._lookup("lead_source", contract, value, pl.String, pick=lambda t: t[part])

    def outcome(self, contract: pl.Expr, value: pl.Expr) -> pl.Expr:
        """converted | won | lost | disqualified | open for a mapped value, NULL otherwise."""
        return self._lookup("outcome", contract, value, pl.String)

    def activity(self, contract: pl.Expr, value: pl.Expr) -> pl.Expr:
        """The contract's name for a last-activity value, else the value as a snake_case slug."""
        slug = _value_key_expr(value).str.replace_all(r"[^0-9a-zäöüß]+", "_").str.strip_chars("_")
        return pl.coalesce(self._lookup("last_activity_type", contract, value, pl.String), slug.replace("", None))

    def converted_stage(self, contract: pl.Expr) -> pl.Expr:
        stages = {c: maps["converted_stage"] for c, maps in self.by_contract.items()}
        return contract.replace_strict(stages, default=stages[""], return_dtype=pl.String)

    def boolean(self, contract: pl.Expr, value: pl.Expr, *, consent: bool = False) -> pl.Expr:
        """True / False for the source's yes/no words; NULL for empty or unknown text."""
        words = "consent" if consent else "booleans"
        mapping = {
            f"{c}{_SEP}{w}": side == "true"
            for c, maps in self.by_contract.items()
            for side in ("true", "false")
            for w in maps[words][side]
        }
        return self._apply(mapping, contract, value, pl.Boolean)

    def blank_placeholders(self, frame: pl.LazyFrame, columns: list[str]) -> pl.LazyFrame:
        """Placeholder values (`Select`, `-`, `n/a`, ...) read as empty in every given column."""
        groups: dict[tuple[str, ...], list[str]] = {}
        for contract, maps in self.by_contract.items():
            groups.setdefault(tuple(maps["placeholders"]), []).append(contract)
        if not any(groups):
            return frame
        contract = pl.col("contract")

        def variants(words: tuple[str, ...]) -> list[str]:
            # Exact-text lookups (no per-row lower-casing): the spellings a source really uses.
            return sorted({v for w in words for v in (w, w.lower(), w.upper(), w.title(), w.capitalize())})

        def is_placeholder(column: pl.Expr) -> pl.Expr:
            if len(groups) == 1:
                return column.is_in(variants(next(iter(groups))))
            default_words = tuple(self.by_contract[""]["placeholders"])
            listed = [c for c in self.by_contract if c]
            conditions = [contract.is_in(names) & column.is_in(variants(words)) for words, names in groups.items()]
            conditions.append(~contract.is_in(listed).fill_null(False) & column.is_in(variants(default_words)))
            return pl.any_horizontal(conditions)

        return frame.with_columns(
            pl.when(is_placeholder(pl.col(c)).fill_null(False)).then(pl.lit(None, pl.String)).otherwise(pl.col(c)).alias(c)
            for c in columns
        )

