"""The schema of a contract YAML file (ingest/contracts/*.yaml), checked when contracts load.

Unknown keys, wrong types, raw fields that do not exist and value-map targets outside the
vocabularies are errors that name the file, the key and, where one is close, the intended word.
"""

from __future__ import annotations

import difflib
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

STAGES = ("lead", "mql", "sql", "opportunity", "customer", "other")
CHANNELS = ("inbound", "outbound")
OUTCOMES = ("converted", "won", "lost", "disqualified", "open")
SOURCE_KINDS = ("crm_export", "purchased_list", "web_form")

Stage = Literal["lead", "mql", "sql", "opportunity", "customer", "other"]
Outcome = Literal["converted", "won", "lost", "disqualified", "open"]


class ContractValidationError(ValueError):
    """A contract file does not follow the schema; the message says where and what to write."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BooleanWords(_Strict):
    true: list[str] = Field(default_factory=list)
    false: list[str] = Field(default_factory=list)


class LeadSourceTarget(_Strict):
    detail: str
    channel: Literal["inbound", "outbound"]


class CombineSpec(_Strict):
    rule: Literal["any_true"] = "any_true"
    columns: list[str] = Field(min_length=1)
    true_values: list[str] = Field(default_factory=lambda: ["true"])
    false_values: list[str] = Field(default_factory=lambda: ["false"])


class FormatsSpec(_Strict):
    date_order: Literal["DMY", "MDY", "ISO"] = "ISO"
    dates: list[str] = Field(default_factory=list)
    timezone: str | None = None
    decimal_separator: Literal[".", ","] = "."
    thousands_separator: Literal[".", ",", " ", "'"] | None = None
    default_country: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Berlin") from None
        return value

    @field_validator("dates")
    @classmethod
    def _layouts_have_directives(cls, value: list[str]) -> list[str]:
        for layout in value:
            if "%" not in layout:
                raise ValueError(f"date layout {layout!r} has no %-directive (e.g. %d.%m.%Y %H:%M)")
        return value

    @field_validator("default_country")
    @classmethod
    def _iso_country(cls, value: str | None) -> str | None:
        if value is not None and (len(value) != 2 or not value.isalpha()):
            raise ValueError(f"default_country {value!r} is not a two-letter ISO code (e.g. DE, AT, US)")
        return value.upper() if value else value


class ValuesSpec(_Strict):
    placeholders: list[str] = Field(default_factory=list)
    booleans: BooleanWords = Field(default_factory=BooleanWords)
    consent: BooleanWords = Field(default_factory=BooleanWords)
    lifecycle_stage: dict[str, Stage] = Field(default_factory=dict)
    lead_status: dict[str, Stage] = Field(default_factory=dict)
    lead_source: dict[str, LeadSourceTarget] = Field(default_factory=dict)
    outcome: dict[str, Outcome] = Field(default_factory=dict)
    last_activity_type: dict[str, str] = Field(default_factory=dict)
    converted_stage: Stage = "opportunity"


class ContractSpec(_Strict):
    name: str = Field(min_length=1)
    source_kind: Literal["crm_export", "purchased_list", "web_form"]
    source_system: str = Field(min_length=1)
    format: Literal["csv", "jsonl"] = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    line_ending: Literal["lf", "crlf", "cr"] | None = None
    identify: list[list[str]] = Field(min_length=1)
    row_required: list[str] = Field(default_factory=list)
    fields: dict[str, list[str] | str] = Field(min_length=1)
    combine: dict[str, CombineSpec] = Field(default_factory=dict)
    keep_as_extra: list[str] = Field(default_factory=list)
    # Regular expressions for the lines a report tool writes after the data (Salesforce:
    # "Grand Totals (N records)", copyright, "Confidential Information - Do Not Distribute").
    footer: list[str] = Field(default_factory=list)
    formats: FormatsSpec = Field(default_factory=FormatsSpec)
    values: ValuesSpec = Field(default_factory=ValuesSpec)

    @field_validator("footer")
    @classmethod
    def _footer_patterns_compile(cls, value: list[str]) -> list[str]:
        import re

        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"footer pattern {pattern!r} is not a regular expression: {error}") from None
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        import codecs

        if value is None or value.lower() in {"auto", "detect"}:
            return None
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r} (e.g. utf-8, windows-1252; leave out to detect)") from None
        return value

    @model_validator(mode="after")
    def _identify_fields_are_mapped(self) -> ContractSpec:
        fed = set(self.fields) | set(self.combine)
        for group in self.identify:
            if not group:
                raise ValueError("identify: an entry lists no field")
            unmapped = [f for f in group if f not in self.fields]
            if unmapped:
                raise ValueError(f"identify names {unmapped}, which `fields` does not map to any header")
        missing = [f for f in self.row_required if f not in fed]
        if missing:
            raise ValueError(f"row_required names {missing}, which `fields` does not map")
        both = sorted(set(self.fields) & set(self.combine))
        if both:
            raise ValueError(f"raw fields fed twice (in fields and in combine): {both}")
        return self


_KEY_NAMES = {
    "": set(ContractSpec.model_fields),
    "formats": set(FormatsSpec.model_fields),
    "values": set(ValuesSpec.model_fields),
}


def _suggest(word: str, choices: set[str] | list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _describe(error: dict) -> str:
    location = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = ".".join(str(p) for p in error["loc"][:-1])
        key = str(error["loc"][-1])
        choices = _KEY_NAMES.get(parent, set())
        if parent.startswith("combine."):
            choices = set(CombineSpec.model_fields)
        return f"unknown key {location!r}{_suggest(key, choices)}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{location}: {error['input']!r} is not allowed; expected one of {expected}"
    if kind == "missing":
        return f"missing key {location!r}"
    text = error["msg"].removeprefix("Value error, ")
    return f"{location}: {text}" if location else text


def validate_contract(data: dict, origin: str, *, allowed_fields: dict[str, list[str]]) -> ContractSpec:
    """Parse a contract mapping; raise ContractValidationError naming the file and every problem."""
    try:
        spec = ContractSpec.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(_describe(e) for e in error.errors())
        raise ContractValidationError(f"{origin}: {problems}") from None
    allowed = set(allowed_fields[spec.source_kind])
    named = [*spec.fields, *spec.combine]
    problems = [
        f"raw field {f!r} does not exist for {spec.source_kind} files{_suggest(f, allowed)}"
        for f in named
        if f not in allowed
    ]
    if problems:
        raise ContractValidationError(
            f"{origin}: {'; '.join(problems)}. Raw fields are listed in docs/data_contracts.md."
        )
    return spec
