"""Draft a source contract (format v2) from a sample export: `leadwerk contract draft`.

Given one CSV a CRM or vendor produced, propose the YAML a marketing-ops person would otherwise
write by hand: which header feeds which raw field (through ingest/rules/header_synonyms.csv),
which words mean yes/no, which values are placeholders, which date layouts the file uses, and
a stage / outcome / channel for every status and source value found. Everything proposed is
marked as such in a comment; every column that maps to nothing is listed, so nothing is silent.

Pure: reads the file and the rules, returns the YAML text; writing it is the caller's job.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from ingest.raw.sniff import detect_delimiter, detect_encoding, split_header
from ingest.raw.tables import KIND_FIELDS

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
SYNONYMS_PATH = RULES_DIR / "header_synonyms.csv"
BOOLEANS_PATH = RULES_DIR / "booleans.yaml"

KINDS = ("crm_export", "purchased_list", "web_form")
# Rows read for profiling: enough for every picklist value of a real export, small enough to
# stay interactive on a laptop.
PROFILE_ROWS = 100_000
DATE_SAMPLE = 2_000
MAX_LISTED_VALUES = 60

DATE_FIELDS = {
    "created_at", "converted_at", "mql_at", "sql_at", "opportunity_at", "customer_at",
    "last_activity_at", "company_created_at", "birth_date", "consent_at", "doi_confirmed_at",
    "outcome_at",
}
BOOLEAN_FIELDS = {"is_converted", "opt_out_email", "do_not_call", "consent_email", "consent_phone"}
NUMBER_FIELDS = {
    "employee_count", "annual_revenue", "list_price", "web_visits", "time_on_site_seconds",
    "time_on_site_minutes", "page_views", "page_views_per_visit", "email_opens", "email_clicks",
    "form_submissions", "source_score", "campaign_memberships",
}
STAGE_FIELDS = ("lifecycle_stage", "lead_status")
OUTCOME_FIELDS = ("outcome", "lead_status", "lifecycle_stage")

PLACEHOLDER_CANDIDATES = (
    "Select", "--None--", "-None-", "--Keine--", "-", "--", "n/a", "N/A", "NA", "none", "null",
    "unknown", "#N/A", "?", "k.A.", "keine Angabe", "(leer)", "(blank)", "not set", "Not Specified",
)
# Consent picklist values meaning opted out / in (checked in this order).
OPTED_OUT = r"unsub|opt(ed)?[ -]?out|do not|don't|abgemeldet|bounced|^yes$|^true$"
OPTED_IN = r"subscri|allow|opt(ed)?[ -]?in|angemeldet|^no$|^false$"
EXTRA_TRUE = ("yes", "y", "true", "1", "ja", "j", "wahr", "x", "checked", "on")
EXTRA_FALSE = ("no", "n", "false", "0", "nein", "falsch", "unchecked", "off")

DATES_PATH = RULES_DIR / "dates.yaml"
# Layouts tried on date columns, in chrono strftime syntax (what the loader uses). The ISO and
# offset layouts of ingest/rules/dates.yaml are built in; these are written to `formats.dates`
# when a column needs them.
EXPLICIT_LAYOUTS = (
    ("%Y-%m-%dT%H:%M:%S%.f%#z", "ISO"), ("%Y-%m-%dT%H:%M:%S%.fZ", "ISO"),
    ("%m/%d/%Y %I:%M %p", "MDY"), ("%m/%d/%Y %I:%M:%S %p", "MDY"), ("%m/%d/%Y %H:%M", "MDY"),
    ("%m/%d/%Y %H:%M:%S", "MDY"), ("%m/%d/%Y", "MDY"), ("%m/%d/%y", "MDY"),
    ("%d/%m/%Y %H:%M", "DMY"), ("%d/%m/%Y %H:%M:%S", "DMY"), ("%d/%m/%Y", "DMY"),
    ("%d.%m.%Y %H:%M:%S", "DMY"), ("%d.%m.%Y %H:%M", "DMY"), ("%d.%m.%Y", "DMY"),
    ("%d.%m.%y", "DMY"), ("%d-%m-%Y", "DMY"),
    ("%d %b, %Y %H:%M:%S", "DMY"), ("%d %b, %Y %H:%M", "DMY"), ("%d %b, %Y", "DMY"),
    ("%d %b %Y %H:%M:%S", "DMY"), ("%d %b %Y %H:%M", "DMY"), ("%d %b %Y", "DMY"),
    ("%d-%b-%Y", "DMY"), ("%d. %B %Y", "DMY"), ("%d %B %Y", "DMY"),
    ("%b %d, %Y %I:%M %p", "MDY"), ("%b %d, %Y %H:%M", "MDY"), ("%b %d, %Y", "MDY"),
    ("%B %d, %Y", "MDY"),
)
# German month names and abbreviations the loader accepts for %b/%B; the profile reads them
# through their English equivalents.
GERMAN_MONTHS = {
    "januar": "January", "februar": "February", "märz": "March", "maerz": "March",
    "april": "April", "mai": "May", "juni": "June", "juli": "July", "august": "August",
    "september": "September", "oktober": "October", "november": "November",
    "dezember": "December", "jän": "Jan", "mär": "Mar", "mrz": "Mar", "okt": "Oct", "dez": "Dec",
}
_GERMAN_MONTH_RE = re.compile(r"\b(" + "|".join(sorted(GERMAN_MONTHS, key=len, reverse=True)) + r")\b\.?",
                              re.IGNORECASE)

# Proposals for status and source picklists: first matching pattern wins, so negatives
# ("not contacted", "not converted") come before the words they contain. A status that ends a
# lead (lost, junk) keeps it at stage lead; its outcome says how it ended.
STAGE_RULES: tuple[tuple[str, str], ...] = (
    (r"not converted|nicht konvertiert|unqualified|disqualified|not qualified|nicht qualifiziert"
     r"|junk|\blost\b|verloren|cannot contact|no longer interested|cancel|bad timing|invalid"
     r"|wrong number|spam|do not contact|\bdead\b|closed - not", "lead"),
    (r"customer|kunde|closed won|\bwon\b|gewonnen|evangelist", "customer"),
    (r"opportunit|open deal|\bconverted\b|konvertiert|verkaufschance|proposition|proposal"
     r"|negotiat|quot(e|ation)|angebot|verhandlung", "opportunity"),
    (r"not contacted|nicht kontaktiert|attempted", "lead"),
    (r"pre[ -]?qualified|marketing ?qualified|\bmql\b", "mql"),
    (r"sales ?qualified|\bsql\b|^qualified$|^qualifiziert$", "sql"),
    (r"working|in progress|in bearbeitung|contacted|kontaktiert|connected|nurtur|pflege|engaged",
     "mql"),
    (r"\bnew\b|\bneu\b|\bopen\b|offen|subscriber|^lead$|contact in future|ringing|busy", "lead"),
    (r"^other$|sonstige", "other"),
)
OUTCOME_RULES: tuple[tuple[str, str], ...] = (
    (r"unqualified|disqualified|not qualified|nicht qualifiziert|junk|spam|cannot contact"
     r"|invalid|wrong number", "disqualified"),
    (r"not converted|nicht konvertiert|\blost\b|verloren|no longer interested|cancel"
     r"|bad timing|closed lost", "lost"),
    (r"\bconverted\b|konvertiert", "converted"),
    (r"closed won|\bwon\b|gewonnen|^customer$|^kunde$", "won"),
)
SOURCE_RULES: tuple[tuple[str, str, str], ...] = (
    (r"web research|prospector|prospecting", "outbound_prospecting", "outbound"),
    (r"sales (e-?)?mail alias", "email_inquiry", "inbound"),
    (r"organic search|\bseo\b|organic|search engine|suchmaschine", "organic_search", "inbound"),
    (r"paid search|\bppc\b|pay per click|adwords|google ads|^google$|^bing$|\bsem\b",
     "paid_search", "inbound"),
    (r"paid social", "paid_social", "inbound"),
    (r"direct", "direct_traffic", "inbound"),
    (r"employee referral|mitarbeiterempfehlung", "employee_referral", "inbound"),
    (r"partner", "partner_referral", "inbound"),
    (r"referral|reference|empfehlung|word of mouth", "referral", "inbound"),
    (r"social|facebook|linkedin|twitter|instagram|youtube|xing|tiktok", "social_media", "inbound"),
    (r"e-?mail|newsletter|\bedm\b", "email_marketing", "inbound"),
    (r"chat", "chat", "inbound"),
    (r"seminar|webinar", "webinar", "inbound"),
    (r"trade ?show|messe|\bfair\b|event|conference|konferenz", "trade_fair", "outbound"),
    (r"cold call|kaltakquise|outbound", "cold_call", "outbound"),
    (r"purchased|gekaufte|list|import", "list_purchase", "outbound"),
    (r"advertis|werbung|\bads?\b|banner|display", "advertisement", "inbound"),
    (r"public relations|press|\bpr\b", "public_relations", "inbound"),
    (r"phone|telefon|call", "phone_inquiry", "inbound"),
    (r"\bweb\b|website|web ?site|online store|landing page|download|form", "website", "inbound"),
    (r"^other$|sonstige", "crm_other", "inbound"),
)


class DraftError(ValueError):
    """The sample file cannot be drafted from (unreadable, no header, nothing recognisable)."""


@dataclass(frozen=True)
class Synonym:
    raw_field: str
    header: str
    system: str
    source: str


def raw_fields(kind: str) -> frozenset[str]:
    """Raw fields a contract of this source kind may name (docs/data_contracts.md, format v2)."""
    if kind not in KINDS:
        raise DraftError(f"unknown source kind {kind!r}: use one of {', '.join(KINDS)}")
    return frozenset(KIND_FIELDS[kind])


def normalize_header(header: str) -> str:
    """Compare key for headers: case-folded, only letters, digits and '#' kept.

    "Lead ID", "Lead-ID", "LeadId" and "LEAD_ID" are one header; API names and labels of the
    same field meet ("LastName" / "Last Name").
    """
    return re.sub(r"[^\w#]|_", "", header.casefold())


def normalize_system(system: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", system.casefold()).strip("_")


@cache
def load_synonyms(path: Path = SYNONYMS_PATH) -> tuple[Synonym, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Synonym(row["raw_field"], row["header"], normalize_system(row["system"]), row["source"])
            for row in csv.DictReader(handle)
        )


def _system_matches(synonym_system: str, system: str) -> bool:
    return bool(synonym_system) and (system == synonym_system or system.startswith(synonym_system + "_"))


def map_header(header: str, system: str, kind: str, synonyms: tuple[Synonym, ...]) -> str | None:
    """The raw field a header feeds: the system's own synonym first, else the field most systems
    agree on, else a generic (system-less) synonym. None when nothing fits this source kind."""
    allowed = raw_fields(kind)
    key = normalize_header(header)
    candidates = [s for s in synonyms if normalize_header(s.header) == key]

    def fit(field: str) -> str | None:
        if field == "crm_id" and kind != "crm_export":
            field = "source_record_id"  # lead lists have record ids, not CRM ids
        return field if field in allowed else None

    own = [fit(s.raw_field) for s in candidates if _system_matches(s.system, system)]
    if any(own):
        return next(f for f in own if f)
    others = Counter(f for s in candidates if s.system and (f := fit(s.raw_field)))
    if others:
        return others.most_common(1)[0][0]
    generic = [fit(s.raw_field) for s in candidates if not s.system]
    return next((f for f in generic if f), None)


# ---------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Sample:
    encoding: str
    delimiter: str
    header: list[str]
    frame: pl.DataFrame  # all columns as text, named by header key ("Create Date#2")


def read_sample(path: Path) -> Sample:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DraftError(f"{path}: cannot read the file ({exc.strerror}); check the path") from exc
    if not data.strip():
        raise DraftError(f"{path}: the file is empty; draft from an export that has a header and rows")
    encoding = detect_encoding(data)
    text = data.decode(encoding, errors="replace").lstrip("\ufeff")
    header_line = text.splitlines()[0]
    delimiter = detect_delimiter(header_line)
    header = split_header(header_line, delimiter)
    if not any(header):
        raise DraftError(f"{path}: the first line has no column names; draft from a file with a header line")
    frame = pl.read_csv(
        io.BytesIO(text.encode("utf-8")), separator=delimiter, has_header=True, new_columns=header,
        infer_schema=False, n_rows=PROFILE_ROWS, truncate_ragged_lines=True, ignore_errors=True,
    )
    return Sample(encoding, delimiter, header, frame)


# ---------------------------------------------------------------------------------- profiling


def _non_empty(frame: pl.DataFrame, column: str) -> pl.Series:
    values = frame.get_column(column).str.strip_chars()
    return values.filter(values.is_not_null() & (values != ""))


def _value_counts(values: pl.Series) -> list[tuple[str, int]]:
    counts = Counter(values.to_list())
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def find_placeholders(frame: pl.DataFrame, columns: list[str]) -> list[tuple[str, int]]:
    """Placeholder words (drop-down defaults such as "Select") found in the given columns."""
    wanted = {p.casefold(): p for p in PLACEHOLDER_CANDIDATES}
    found: Counter[str] = Counter()
    for column in columns:
        for value, count in _value_counts(_non_empty(frame, column)):
            if value.casefold() in wanted:
                found[value] += count
    return sorted(found.items(), key=lambda item: (-item[1], item[0]))


@cache
def _shared_boolean_words() -> tuple[frozenset[str], frozenset[str]]:
    rules = yaml.safe_load(BOOLEANS_PATH.read_text(encoding="utf-8")) or {}
    # YAML reads the keys `true:` / `false:` as booleans.
    true = rules.get(True, rules.get("true", [])) or []
    false = rules.get(False, rules.get("false", [])) or []
    return frozenset(str(w).casefold() for w in true), frozenset(str(w).casefold() for w in false)


def boolean_words(values: pl.Series) -> tuple[list[str], list[str]] | None:
    """(true words, false words) when every distinct value is a yes/no word, else None."""
    shared_true, shared_false = _shared_boolean_words()
    true_words = shared_true | set(EXTRA_TRUE)
    false_words = shared_false | set(EXTRA_FALSE)
    distinct = [v for v, _ in _value_counts(values)]
    if not distinct or len(distinct) > 6:
        return None
    if not all(v.casefold() in true_words | false_words for v in distinct):
        return None
    return ([v for v in distinct if v.casefold() in true_words],
            [v for v in distinct if v.casefold() in false_words])


@cache
def builtin_layouts() -> tuple[str, ...]:
    """The layouts every source gets (ingest/rules/dates.yaml: with an offset, then ISO)."""
    rules = yaml.safe_load(DATES_PATH.read_text(encoding="utf-8"))["formats"]
    return tuple(rules.get("with_offset", [])) + tuple(rules.get("iso", []))


def opt_out_words(values: pl.Series) -> tuple[list[str], list[str]]:
    """(opted-out values, opted-in values) of a consent picklist; others stay unknown (NULL)."""
    distinct = [v for v, _ in _value_counts(values)]
    out = [v for v in distinct if re.search(OPTED_OUT, v, re.IGNORECASE)]
    in_ = [v for v in distinct if v not in out and re.search(OPTED_IN, v, re.IGNORECASE)]
    return out or ["true"], in_ or ["false"]


def _english_months(values: pl.Series) -> pl.Series:
    return values.map_elements(
        lambda v: _GERMAN_MONTH_RE.sub(lambda m: GERMAN_MONTHS[m.group(1).casefold()], v),
        return_dtype=pl.String,
    )


def _parsed_share(values: pl.Series, layout: str) -> float:
    try:
        parsed = values.str.to_datetime(layout, strict=False)
    except (pl.exceptions.PolarsError, ValueError):
        return 0.0
    return parsed.is_not_null().sum() / len(values)


@dataclass(frozen=True)
class DateProfile:
    column: str
    layouts: tuple[str, ...]  # explicit (non-ISO) layouts needed, best first
    order: str | None  # MDY / DMY when an explicit layout decides it
    parsed: float  # share of the sample parsed by ISO + the layouts
    offsets: bool  # values carry a UTC offset
    examples: tuple[str, ...]


def profile_dates(column: str, values: pl.Series) -> DateProfile:
    """Which layouts read a date column: ISO first, then the explicit layouts that add most."""
    sample = _english_months(values.head(DATE_SAMPLE))
    remaining = sample
    iso_hits = pl.Series([False] * len(sample))
    for layout in builtin_layouts():
        try:
            iso_hits = iso_hits | sample.str.to_datetime(layout, strict=False).is_not_null()
        except pl.exceptions.PolarsError:
            continue
    remaining = sample.filter(~iso_hits)
    chosen: list[tuple[str, str]] = []
    while len(remaining):
        scored = [(_parsed_share(remaining, layout), layout, order) for layout, order in EXPLICIT_LAYOUTS]
        share, layout, order = max(scored, key=lambda s: s[0])
        if share == 0:
            break
        chosen.append((layout, order))
        remaining = remaining.filter(remaining.str.to_datetime(layout, strict=False).is_null())
    parsed = 1 - len(remaining) / len(sample) if len(sample) else 0.0
    offsets = bool(sample.str.contains(r"(Z|[+-]\d\d:?\d\d)$").any())
    return DateProfile(column, tuple(layout for layout, _ in chosen),
                       chosen[0][1] if chosen else None, parsed, offsets,
                       tuple(values.head(DATE_SAMPLE).unique(maintain_order=True).head(3).to_list()))


def number_format(values: pl.Series) -> tuple[str, str | None] | None:
    """(decimal separator, thousands separator) when the values show one, else None."""
    text = values.to_list()
    if any(re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", v) for v in text) or any(
            re.fullmatch(r"-?\d+,\d{1,2}", v) for v in text):
        return ",", "." if any("." in v for v in text) else None
    if any(re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", v) for v in text):
        return ".", ","
    return None


def _first_match(value: str, rules: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
    text = " ".join(value.casefold().split())
    for pattern, *target in rules:
        if re.search(pattern, text):
            return tuple(target)
    return None


def propose_stage(value: str) -> str | None:
    found = _first_match(value, STAGE_RULES)
    return found[0] if found else None


def propose_outcome(value: str, field: str) -> str | None:
    if field == "outcome":
        text = value.strip().casefold()
        if text in {"1", "yes", "true", "ja", "converted", "won"}:
            return "converted" if text != "won" else "won"
        if text in {"0", "no", "false", "nein"}:
            return "lost"
    found = _first_match(value, OUTCOME_RULES)
    return found[0] if found else None


def propose_source(value: str) -> tuple[str, str] | None:
    found = _first_match(value, SOURCE_RULES)
    return (found[0], found[1]) if found else None


# ---------------------------------------------------------------------------------- drafting


def _q(value: object) -> str:
    """A YAML scalar, always double-quoted (JSON strings are valid YAML) so "Yes" stays text."""
    return json.dumps(str(value), ensure_ascii=False)


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def contract_name(system: str, kind: str) -> str:
    """Contract names are unique across folders: the system, plus the kind for lead lists/forms."""
    name = normalize_system(system)
    return name if kind == "crm_export" else f"{name}_{kind}"


def draft_contract(path: Path, system: str, kind: str = "crm_export") -> str:
    """Commented contract YAML (format v2) for files shaped like `path` from `system`."""
    path = Path(path)
    allowed = raw_fields(kind)
    system_key = normalize_system(system)
    if not system_key:
        raise DraftError(f"system name {system!r} has no letters or digits; name the CRM or vendor, e.g. --system zoho")
    if path.suffix.casefold() in {".jsonl", ".json"}:
        raise DraftError(f"{path}: drafting reads CSV exports; write JSON-lines contracts by hand "
                         "(see ingest/contracts/web_forms.yaml)")
    sample = read_sample(path)
    synonyms = load_synonyms()
    frame = sample.frame

    fields: dict[str, list[str]] = {}
    unmapped: list[str] = []
    opt_out_columns: list[str] = []
    for header in sample.header:
        if normalize_header(header).startswith("optedoutofemail"):
            opt_out_columns.append(header)
            continue
        field = map_header(header, system_key, kind, synonyms) if header else None
        if field is None:
            unmapped.append(header)
        else:
            fields.setdefault(field, []).append(header)
    # The loader reads the first header of a field that a file has; a second column feeding the
    # same field (e-mail "Home" next to "Work") is kept as extra, not silently dropped.
    duplicates: dict[str, str] = {}
    for field, headers in fields.items():
        for header in headers[1:]:
            duplicates[header] = field
        del headers[1:]
    if kind == "crm_export":
        if "crm_id" in fields and "source_record_id" not in fields:
            fields["source_record_id"] = list(fields["crm_id"])
        elif "source_record_id" in fields and "crm_id" not in fields:
            fields["crm_id"] = list(fields["source_record_id"])
    combine: dict[str, list[str]] = {}
    for field in ("opt_out_email", "do_not_call"):
        # Consent picklists ("Subscribed" / "Unsubscribed", "Allow" / "Do Not Allow") are not
        # yes/no words; a combine rule names which of their values mean opted out.
        if field in fields and boolean_words(_non_empty(frame, fields[field][0])) is None:
            combine[field] = fields.pop(field)
    if opt_out_columns and "opt_out_email" in allowed:
        # Every opt-out column (one per subscription type) counts: opted out of any is opted out.
        combine["opt_out_email"] = opt_out_columns + combine.get("opt_out_email", []) + fields.pop("opt_out_email", [])
    elif opt_out_columns:
        unmapped.extend(opt_out_columns)
    if not fields and not combine:
        raise DraftError(
            f"{path}: none of the {len(sample.header)} columns matches a known header "
            f"({', '.join(sample.header[:8])}{' ...' if len(sample.header) > 8 else ''}); "
            f"add rows for them to {SYNONYMS_PATH.relative_to(RULES_DIR.parent.parent)} and draft again")

    def used(field: str) -> str:
        return fields[field][0]

    # A header can name a date in one CRM and an activity in another ("Last Activity"): a date
    # field whose sample holds no dates is not a date field.
    for field in [f for f in fields if f in DATE_FIELDS]:
        values = _non_empty(frame, used(field))
        if values.len() and profile_dates(field, values.head(200)).parsed < 0.5:
            headers = fields.pop(field)
            if field == "last_activity_at" and "last_activity_type" in allowed and "last_activity_type" not in fields:
                fields["last_activity_type"] = headers
            else:
                unmapped.extend(headers)

    lines: list[str] = []
    add = lines.append
    add(f"# Drafted by `leadwerk contract draft` from {path.name}: {frame.height:,} rows profiled,")
    add(f"# {len(sample.header)} columns, encoding {sample.encoding}, delimiter {_q(sample.delimiter)}.")
    add("# Replace this comment with where the shape comes from (documentation URL or sample export),")
    add("# and review every value marked `proposed` before the first run.")
    add(f"name: {contract_name(system, kind)}")
    add(f"source_kind: {kind}")
    add(f"source_system: {system_key}")
    add("format: csv")
    add(f"encoding: null  # detected {sample.encoding} in the sample; null detects it per file")
    add(f"delimiter: {_q(sample.delimiter)}")

    identify = [[f] for f in ("crm_id", "source_record_id", "email", "last_name") if f in fields]
    if kind == "crm_export" and ["crm_id"] in identify and ["source_record_id"] in identify:
        identify.remove(["source_record_id"])
    if not identify:
        identify = [[next(iter(fields))]] if fields else [["opt_out_email"]]
    add("# A file of this folder uses this contract when it has the columns of one entry.")
    add("identify:")
    for group in identify:
        add(f"  - [{', '.join(group)}]")
    row_key = "crm_id" if kind == "crm_export" else "source_record_id"
    add(f"row_required: [{row_key}]" if row_key in fields else "row_required: []")

    add("fields:")
    for field in sorted(fields, key=lambda f: sample.header.index(fields[f][0])):
        add(f"  {field}: {_flow(fields[field])}")
    if combine:
        add("combine:")
        for field, columns in combine.items():
            values = pl.concat([_non_empty(frame, c) for c in columns])
            words = boolean_words(values) or opt_out_words(values)
            true_words, false_words = words
            add(f"  {field}:")
            add("    rule: any_true")
            add(f"    columns: {_flow(columns)}")
            add(f"    true_values: {_flow(true_words or ['true'])}")
            add(f"    false_values: {_flow(false_words or ['false'])}")
    if unmapped:
        add(f"# {len(unmapped)} columns map to no raw field; they are kept in extra_fields and reported")
        add("# as unmapped. Add a header to `fields` to use one, or list it in keep_as_extra to")
        add("# silence the report:")
        for header in unmapped:
            add(f"#   {_q(header)}" if header else
                f"#   (column {sample.header.index(header) + 1} has no name)")
    if duplicates:
        add("# Columns that would feed a field another column already feeds:")
        for header, field in duplicates.items():
            add(f"#   {_q(header)} -> {field} (the field reads {_q(fields[field][0])})")
        add(f"keep_as_extra: {_flow(list(duplicates))}")
    else:
        add("keep_as_extra: []")

    # formats -----------------------------------------------------------------------------
    date_profiles = [profile_dates(f, _non_empty(frame, used(f)))
                     for f in fields if f in DATE_FIELDS and _non_empty(frame, used(f)).len()]
    layouts: list[str] = []
    for profile in date_profiles:
        layouts += [layout for layout in profile.layouts if layout not in layouts]
    orders = [p.order for p in date_profiles if p.order]
    numbers = [fmt for f in fields if f in NUMBER_FIELDS
               if (fmt := number_format(_non_empty(frame, used(f))))]
    decimal, thousands = numbers[0] if numbers else (".", None)
    add("formats:")
    add(f"  date_order: {orders[0] if orders else 'ISO'}")
    if layouts:
        add(f"  dates: {_flow(layouts)}")
    for profile in date_profiles:
        add(f"  # {profile.column}: {profile.parsed:.0%} of the sample parses; e.g. "
            f"{_comment(', '.join(_q(v) for v in profile.examples))}")
    if any(p.offsets for p in date_profiles):
        add("  # Timestamps carry a UTC offset; timezone only matters for those written without one.")
    if date_profiles:
        add("  # Timestamps without an offset are read in ingest/rules/dates.yaml naive_timezone unless")
        add("  # you name the zone the export was written in, e.g. `timezone: America/New_York`.")
    add(f"  decimal_separator: {_q(decimal)}")
    add(f"  thousands_separator: {_q(thousands) if thousands else 'null'}")
    add("  default_country: null  # ISO code when phone numbers are written without a country code")

    # values --------------------------------------------------------------------------------
    value_lines: list[str] = []
    mapped_columns = [h for hs in fields.values() for h in hs]
    placeholders = find_placeholders(frame, mapped_columns)
    if placeholders:
        value_lines.append("  # Placeholders found: " + _comment(
            ", ".join(f"{_q(v)} x{n:,}" for v, n in placeholders)))
        value_lines.append(f"  placeholders: {_flow([v for v, _ in placeholders])}")
    true_found: list[str] = []
    false_found: list[str] = []
    for field in fields:
        values = _non_empty(frame, used(field))
        if field in BOOLEAN_FIELDS or field == "outcome":
            words = boolean_words(values)
            if words and field != "outcome":
                true_found += [w for w in words[0] if w not in true_found]
                false_found += [w for w in words[1] if w not in false_found]
    if true_found or false_found:
        value_lines.append(f"  booleans: {{true: {_flow(true_found)}, false: {_flow(false_found)}}}")
    for field in STAGE_FIELDS:
        if field in fields:
            value_lines += _stage_map(field, _non_empty(frame, used(field)), used(field))
    for field in ("lead_source",):
        if field in fields:
            value_lines += _source_map(_non_empty(frame, used(field)), used(field))
    outcome_lines = []
    for field in OUTCOME_FIELDS:
        if field in fields:
            outcome_lines += _outcome_entries(field, _non_empty(frame, used(field)))
    value_lines += _value_map("outcome", "proposed: converted | won | lost | disqualified",
                              _unique_keys(outcome_lines), 0)
    if "last_activity_type" in fields:
        counts = _value_counts(_non_empty(frame, used("last_activity_type")))
        value_lines.append("  # last_activity_type values become snake_case (\"Email Opened\" -> email_opened);")
        value_lines.append("  # found: " + _comment(", ".join(f"{_q(v)} x{n:,}" for v, n in counts[:20])))
    if kind == "crm_export" and "is_converted" in fields:
        value_lines.append("  converted_stage: opportunity")
    if value_lines:
        add("values:")
        lines.extend(value_lines)
    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)  # the draft must always be valid YAML
    return text


def _listed(counts: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], int]:
    return counts[:MAX_LISTED_VALUES], max(0, len(counts) - MAX_LISTED_VALUES)


def _value_map(key: str, title: str, entries: list[tuple[str, str | None, str]], more: int) -> list[str]:
    """A value map: proposed entries as YAML, values without a proposal as comments."""
    if not entries:
        return []
    proposed = [(value, target, note) for value, target, note in entries if target]
    out = [f"  {key}:  # {title}" if proposed else f"  # {key}: {title}"]
    for value, target, note in entries:
        out.append(f"    {_q(value)}: {target}  # {note}" if target else f"    # {_q(value)}: ?  ({note})")
    if more:
        out.append(f"    # ... {more} rarer values not listed")
    return out


def _stage_map(field: str, values: pl.Series, column: str) -> list[str]:
    counts, more = _listed(_value_counts(values))
    entries = [(value, propose_stage(value),
                f"{n:,} rows" if propose_stage(value) else f"{n:,} rows, no proposal: it becomes other")
               for value, n in counts]
    return _value_map(field, f"proposed from {_q(column)}: lead | mql | sql | opportunity | customer | other",
                      entries, more)


def _source_map(values: pl.Series, column: str) -> list[str]:
    counts, more = _listed(_value_counts(values))
    entries = []
    for value, n in counts:
        proposal = propose_source(value)
        target = f"{{detail: {proposal[0]}, channel: {proposal[1]}}}" if proposal else None
        note = f"{n:,} rows" if proposal else f"{n:,} rows, no proposal: ingest/rules/marketing.yaml applies"
        entries.append((value, target, note))
    return _value_map("lead_source", f"proposed from {_q(column)}: detail (free text), channel inbound | outbound",
                      entries, more)


def _outcome_entries(field: str, values: pl.Series) -> list[tuple[str, str | None, str]]:
    out = []
    for value, n in _listed(_value_counts(values))[0]:
        outcome = propose_outcome(value, field)
        if outcome:
            out.append((value, outcome, f"{field}, {n:,} rows"))
    return out


def _unique_keys(entries: list[tuple[str, str | None, str]]) -> list[tuple[str, str | None, str]]:
    """Value-map keys compare case-insensitively after collapsing spaces: keep the first of each."""
    seen: set[str] = set()
    kept = []
    for entry in entries:
        key = " ".join(entry[0].casefold().split())
        if key not in seen:
            seen.add(key)
            kept.append(entry)
    return kept
