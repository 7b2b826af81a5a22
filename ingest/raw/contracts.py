"""Source contracts: one YAML file per landing format in ingest/contracts/.

A contract says how to read a file (encoding, delimiter), how to recognise it (a few identifying
fields whose columns must be present), which header names feed which raw field (several accepted
names per field: API name, labels in English and German, older labels), and how the source
writes its values (dates, numbers, booleans, placeholders, picklists). Every column other than
the identifying ones is optional: it is mapped when present. Adding a vendor or CRM export is a
new YAML file; this module loads and validates them (schema: ingest/raw/contract_schema.py).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from ingest.raw.contract_schema import ContractSpec, ContractValidationError, validate_contract
from ingest.raw.tables import KIND_FIELDS

CONTRACTS_DIR = Path(__file__).resolve().parent.parent / "contracts"


class ContractError(ValueError):
    """A contract file is inconsistent with docs/data_contracts.md."""


def header_key(label: str) -> str:
    """How header names compare: case-insensitive, outer blanks trimmed, inner whitespace collapsed,
    and an underscore read as a space: exports passed through a spreadsheet or BI tool often come
    back with `Lead_ID`, `Created_Date` for the report labels `Lead ID`, `Created Date`, and
    API names such as Zoho's `Lead_Status` are the label with underscores."""
    return re.sub(r"[\s_]+", " ", label).strip().casefold()


@dataclass(frozen=True)
class CombineRule:
    """Several source columns folded into one raw field (e.g. all e-mail opt-out flags)."""

    field: str
    rule: str
    columns: tuple[str, ...]
    true_values: tuple[str, ...]
    false_values: tuple[str, ...]


@dataclass(frozen=True)
class HeaderMatch:
    """How a contract reads one file's header: the column chosen for each raw field."""

    contract: Contract
    columns: dict[str, str]  # raw field -> header column of the file
    combined: dict[str, tuple[str, ...]]  # combined raw field -> header columns present
    kept: tuple[str, ...]  # keep_as_extra columns present

    @property
    def identified(self) -> bool:
        return any(all(f in self.columns for f in group) for group in self.contract.identify)

    @property
    def used_columns(self) -> set[str]:
        return set(self.columns.values()) | {c for cols in self.combined.values() for c in cols} | set(self.kept)

    @property
    def coverage(self) -> int:
        return len(self.used_columns)


@dataclass(frozen=True)
class Contract:
    name: str
    source_kind: str
    source_system: str
    format: str  # csv | jsonl
    encoding: str | None  # None: detect
    delimiter: str | None  # None: detect
    identify: tuple[tuple[str, ...], ...]
    row_required: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]  # raw field -> accepted header names, preferred first
    combine: tuple[CombineRule, ...] = ()
    keep_as_extra: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()  # regexes of report footer lines after the data
    date_order: str = "ISO"
    date_layouts: tuple[str, ...] = ()
    timezone: str | None = None
    decimal_separator: str = "."
    thousands_separator: str | None = None
    default_country: str | None = None
    values: dict = field(default_factory=dict)  # the contract's own value maps (ValuesSpec dump)
    origin: str = ""

    def match(self, header: list[str]) -> HeaderMatch:
        """The file column each raw field reads (first accepted name present), and what else is known."""
        by_key: dict[str, str] = {}
        for column in header:
            by_key.setdefault(header_key(column), column)
        columns = {}
        for raw_field, names in self.fields.items():
            for name in names:
                found = by_key.get(header_key(name))
                if found is not None:
                    columns[raw_field] = found
                    break
        combined = {
            rule.field: tuple(by_key[header_key(c)] for c in rule.columns if header_key(c) in by_key)
            for rule in self.combine
        }
        kept = tuple(by_key[header_key(c)] for c in self.keep_as_extra if header_key(c) in by_key)
        return HeaderMatch(self, columns, {k: v for k, v in combined.items() if v}, kept)

    def matches(self, header: list[str]) -> bool:
        return self.match(header).identified

    def identify_text(self) -> str:
        """The identifying fields in words, with the header names that satisfy them."""
        groups = []
        for group in self.identify:
            parts = [f"{f} ({' / '.join(self.fields.get(f, ())[:4])})" for f in group]
            groups.append(" + ".join(parts))
        return " or ".join(groups)


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


class _TextLoader(yaml.SafeLoader):
    """YAML with every scalar read as text (null aside).

    Contracts quote source values: a CRM's `Yes`, `1` or `TRUE` must stay what it was, not turn
    into YAML's true or 1.
    """


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_contract_yaml(text: str) -> dict:
    data = yaml.load(text, Loader=_TextLoader)  # noqa: S506 - a SafeLoader subclass
    return data or {}


def parse_contract(data: dict, origin: str) -> Contract:
    """Build and validate a contract from its YAML mapping (errors name the file and key)."""
    try:
        spec = validate_contract(data, origin, allowed_fields=KIND_FIELDS)
    except ContractValidationError as error:
        raise ContractError(str(error)) from None
    return _from_spec(spec, origin)


def _from_spec(spec: ContractSpec, origin: str) -> Contract:
    formats = spec.formats
    return Contract(
        name=spec.name,
        source_kind=spec.source_kind,
        source_system=spec.source_system,
        format=spec.format,
        encoding=spec.encoding,
        delimiter=spec.delimiter,
        identify=tuple(tuple(group) for group in spec.identify),
        row_required=tuple(spec.row_required),
        fields={f: _as_tuple(names) for f, names in spec.fields.items()},
        combine=tuple(
            CombineRule(
                field=target,
                rule=rule.rule,
                columns=tuple(rule.columns),
                true_values=tuple(rule.true_values),
                false_values=tuple(rule.false_values),
            )
            for target, rule in spec.combine.items()
        ),
        keep_as_extra=tuple(spec.keep_as_extra),
        footer=tuple(spec.footer),
        date_order=formats.date_order,
        date_layouts=tuple(formats.dates),
        timezone=formats.timezone,
        decimal_separator=formats.decimal_separator,
        thousands_separator=formats.thousands_separator,
        default_country=formats.default_country,
        values=spec.values.model_dump(),
        origin=origin,
    )


@dataclass(frozen=True)
class ContractSet:
    """The contracts of a folder, and the files that could not be loaded (with the reason)."""

    contracts: tuple[Contract, ...]
    errors: dict[str, str]  # file name -> error text
    # (source_kind, source_system) whose contract files failed: their files are rejected.
    broken_folders: dict[tuple[str, str], str]


def _folder_of(data: object) -> tuple[str, str] | None:
    if isinstance(data, dict) and isinstance(data.get("source_kind"), str):
        return data["source_kind"], str(data.get("source_system") or "")
    return None


def _signature(contracts_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and change times of the folder's contracts: an edited file is read again."""
    files = sorted(contracts_dir.glob("*.yaml"))
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)


@cache
def _load_dir(contracts_dir: Path, signature: tuple[tuple[str, int, int], ...]) -> ContractSet:
    contracts: list[Contract] = []
    errors: dict[str, str] = {}
    broken: dict[tuple[str, str], str] = {}
    for path in sorted(contracts_dir.glob("*.yaml")):
        data: object = None
        try:
            data = read_contract_yaml(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ContractError(f"{path.name}: a contract is a YAML mapping of keys")
            contracts.append(parse_contract(data, origin=path.name))
        except (ContractError, yaml.YAMLError, UnicodeDecodeError) as error:
            message = str(error) if isinstance(error, ContractError) else f"{path.name}: {error}"
            errors[path.name] = message
            folder = _folder_of(data)
            if folder is not None:
                broken[folder] = message
    names = [c.name for c in contracts]
    for name in sorted({n for n in names if names.count(n) > 1}):
        files = [c.origin for c in contracts if c.name == name]
        message = f"{', '.join(files)}: contract name {name!r} is used more than once; give each file its own name"
        for c in contracts:
            if c.name == name:
                errors[c.origin] = message
                broken[(c.source_kind, c.source_system)] = message
        contracts = [c for c in contracts if c.name != name]
    return ContractSet(tuple(contracts), errors, broken)


def load_contract_set(contracts_dir: Path | None = None) -> ContractSet:
    """Every valid contract of a folder and the errors of the others (a bad file never stops the rest)."""
    folder = (contracts_dir or CONTRACTS_DIR).resolve()
    return _load_dir(folder, _signature(folder))


def load_contracts(contracts_dir: Path | None = None, *, strict: bool = True) -> tuple[Contract, ...]:
    """All contracts of a folder (default: the packaged ingest/contracts).

    strict: raise ContractError when any contract file is invalid (tests, `contract check`);
    ingestion uses load_contract_set and rejects only the files a broken contract governs.
    """
    loaded = load_contract_set(contracts_dir)
    if strict and loaded.errors:
        raise ContractError("; ".join(loaded.errors.values()))
    return loaded.contracts


def candidate_contracts(
    contracts: tuple[Contract, ...], source_kind: str, source_system: str
) -> list[Contract]:
    """Contracts that may parse a file, chosen by its landing folder."""
    return [c for c in contracts if c.source_kind == source_kind and c.source_system == source_system]


def best_match(candidates: list[Contract], header: list[str]) -> HeaderMatch | None:
    """The identified contract that maps most of the header's columns (ties: by name)."""
    matches = [c.match(header) for c in sorted(candidates, key=lambda c: c.name)]
    identified = [m for m in matches if m.identified]
    if not identified:
        return None
    return max(identified, key=lambda m: m.coverage)


def nearest_miss(candidates: list[Contract], header: list[str]) -> str:
    """Why no contract fits: the nearest contract and the identifying columns the file lacks."""
    if not candidates:
        return "no contract for this folder"
    matches = sorted((c.match(header) for c in candidates), key=lambda m: (-m.coverage, m.contract.name))
    nearest = matches[0]
    known = [h for names in nearest.contract.fields.values() for h in names]
    hints = []
    for column in header[:40]:
        close = difflib.get_close_matches(column, known, n=1, cutoff=0.75)
        if close and close[0] not in nearest.columns.values():
            hints.append(f"{column!r} looks like {close[0]!r}")
    text = (
        f"nearest contract {nearest.contract.name!r} ({nearest.contract.origin}) maps "
        f"{nearest.coverage} of {len(header)} columns but the file has none of its identifying "
        f"columns: {nearest.contract.identify_text()}"
    )
    if hints:
        text += "; " + ", ".join(hints[:3])
    return text + ". Add the header name to that contract's `fields`, or draft one with `leadwerk contract draft`."


def contract_formats(contracts_dir: Path | None = None) -> pl.DataFrame:
    """Per-contract parsing hints and value maps for normalization (raw keeps the source text).

    One row per contract; `date_layouts` and `value_maps` (the contract's own maps; the shared
    defaults in ingest/rules/ are merged in by normalization) are JSON text so the frame can be
    fingerprinted: a changed map re-normalizes the rows it governs.
    """
    contracts = load_contract_set(contracts_dir).contracts
    return pl.DataFrame(
        {
            "contract": [c.name for c in contracts],
            "date_order": [c.date_order for c in contracts],
            "decimal_separator": [c.decimal_separator for c in contracts],
            "thousands_separator": [c.thousands_separator for c in contracts],
            "default_country": [c.default_country for c in contracts],
            "timezone": [c.timezone for c in contracts],
            "date_layouts": [json.dumps(list(c.date_layouts), ensure_ascii=False) for c in contracts],
            "value_maps": [
                json.dumps(c.values, ensure_ascii=False, sort_keys=True) for c in contracts
            ],
        },
        schema={k: pl.String() for k in (
            "contract", "date_order", "decimal_separator", "thousands_separator", "default_country",
            "timezone", "date_layouts", "value_maps",
        )},
    )
