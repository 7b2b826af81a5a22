"""Source contracts: one YAML file per landing format in ingest/contracts/.

A contract says how to read a file (encoding, delimiter), how to recognise it (required header
columns) and which source column feeds which raw field. Adding a vendor or CRM export is a new
YAML file; this module only loads and validates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from ingest.raw.tables import KIND_FIELDS

CONTRACTS_DIR = Path(__file__).resolve().parent.parent / "contracts"

DATE_ORDERS = {"DMY", "MDY", "ISO"}
COMBINE_RULES = {"any_true"}


class ContractError(ValueError):
    """A contract file is inconsistent with docs/data_contracts.md."""


@dataclass(frozen=True)
class CombineRule:
    """Several source columns folded into one raw field (e.g. all e-mail opt-out flags)."""

    field: str
    rule: str
    columns: tuple[str, ...]
    true_values: tuple[str, ...]
    false_values: tuple[str, ...]


@dataclass(frozen=True)
class Contract:
    name: str
    source_kind: str
    source_system: str
    format: str  # csv | jsonl
    encoding: str | None  # None: detect
    delimiter: str | None  # None: detect
    line_ending: str | None
    required: tuple[str, ...]
    row_required: tuple[str, ...]
    date_order: str
    decimal_separator: str
    thousands_separator: str | None
    default_country: str | None
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    combine: tuple[CombineRule, ...] = ()
    keep_as_extra: tuple[str, ...] = ()

    def known_columns(self) -> set[str]:
        """Source columns the contract knows: mapped, combined or deliberately kept as extra."""
        combined = {c for rule in self.combine for c in rule.columns}
        return set(self.columns) | combined | set(self.keep_as_extra)

    def matches(self, header: list[str]) -> bool:
        return set(self.required) <= set(header)


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def parse_contract(data: dict, origin: str) -> Contract:
    """Build and validate a contract from its YAML mapping."""
    try:
        kind = data["source_kind"]
        formats = data.get("formats") or {}
        contract = Contract(
            name=data["name"],
            source_kind=kind,
            source_system=data["source_system"],
            format=data.get("format", "csv"),
            encoding=data.get("encoding"),
            delimiter=data.get("delimiter"),
            line_ending=data.get("line_ending"),
            required=_as_tuple(data.get("required")),
            row_required=_as_tuple(data.get("row_required")),
            date_order=formats.get("date_order", "ISO"),
            decimal_separator=formats.get("decimal_separator", "."),
            thousands_separator=formats.get("thousands_separator"),
            default_country=formats.get("default_country"),
            columns={str(k): _as_tuple(v) for k, v in (data.get("columns") or {}).items()},
            combine=tuple(
                CombineRule(
                    field=target,
                    rule=spec.get("rule", "any_true"),
                    columns=_as_tuple(spec["columns"]),
                    true_values=_as_tuple(spec.get("true_values", ["true"])),
                    false_values=_as_tuple(spec.get("false_values", ["false"])),
                )
                for target, spec in (data.get("combine") or {}).items()
            ),
            keep_as_extra=_as_tuple(data.get("keep_as_extra")),
        )
    except KeyError as missing:
        raise ContractError(f"{origin}: missing key {missing}") from None
    _validate(contract, origin)
    return contract


def _validate(contract: Contract, origin: str) -> None:
    if contract.source_kind not in KIND_FIELDS:
        raise ContractError(f"{origin}: unknown source_kind {contract.source_kind!r}")
    if contract.format not in {"csv", "jsonl"}:
        raise ContractError(f"{origin}: unknown format {contract.format!r}")
    if contract.date_order not in DATE_ORDERS:
        raise ContractError(f"{origin}: date_order must be one of {sorted(DATE_ORDERS)}")
    allowed = set(KIND_FIELDS[contract.source_kind])
    targets = [f for fields in contract.columns.values() for f in fields]
    targets += [rule.field for rule in contract.combine]
    unknown = sorted(set(targets) - allowed)
    if unknown:
        raise ContractError(f"{origin}: raw fields not in data_contracts.md: {unknown}")
    duplicated = sorted({f for f in targets if targets.count(f) > 1})
    if duplicated:
        raise ContractError(f"{origin}: raw fields fed twice: {duplicated}")
    bad_required = sorted(set(contract.row_required) - allowed)
    if bad_required:
        raise ContractError(f"{origin}: row_required names unknown fields {bad_required}")
    for rule in contract.combine:
        if rule.rule not in COMBINE_RULES:
            raise ContractError(f"{origin}: unknown combine rule {rule.rule!r}")


@cache
def _load_dir(contracts_dir: Path) -> tuple[Contract, ...]:
    contracts = []
    for path in sorted(contracts_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        contracts.append(parse_contract(data, origin=path.name))
    names = [c.name for c in contracts]
    if len(set(names)) != len(names):
        raise ContractError(f"duplicate contract names in {contracts_dir}")
    return tuple(contracts)


def load_contracts(contracts_dir: Path | None = None) -> tuple[Contract, ...]:
    """All contracts of a folder (default: the packaged ingest/contracts)."""
    return _load_dir((contracts_dir or CONTRACTS_DIR).resolve())


def candidate_contracts(
    contracts: tuple[Contract, ...], source_kind: str, source_system: str
) -> list[Contract]:
    """Contracts that may parse a file, chosen by its landing folder."""
    return [c for c in contracts if c.source_kind == source_kind and c.source_system == source_system]


def pick_contract(candidates: list[Contract], header: list[str]) -> Contract | None:
    """The contract whose required columns are all in the header; the most specific wins."""
    matching = [c for c in candidates if c.matches(header)]
    if not matching:
        return None
    return max(matching, key=lambda c: len(c.required))


def contract_formats(contracts_dir: Path | None = None) -> pl.DataFrame:
    """Per-contract parsing hints for normalization (raw keeps the source text unchanged)."""
    contracts = load_contracts(contracts_dir)
    return pl.DataFrame(
        {
            "contract": [c.name for c in contracts],
            "date_order": [c.date_order for c in contracts],
            "decimal_separator": [c.decimal_separator for c in contracts],
            "thousands_separator": [c.thousands_separator for c in contracts],
            "default_country": [c.default_country for c in contracts],
        },
        schema={k: pl.String() for k in (
            "contract", "date_order", "decimal_separator", "thousands_separator", "default_country"
        )},
    )
