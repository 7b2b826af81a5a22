"""A small, generated corpus of hostile landing files and what ingestion must make of each.

Every entry is built from the same two record shapes the broken-file tests use (a
leadsource_eu purchased-list row, a web-form submission), so a good row in a hostile file is
known to load on its own. `expected` holds what the registry must say about the file:
(status, rows_read, rows_loaded, rows_quarantined) and the quarantine reasons by row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ingest.raw.limits import limits

LS_HEADER = (
    "lead_ref,salutation,first_name,last_name,company,job_title,industry,company_size,address,"
    "zip,city,country,phone,email,consent_email,consent_proof,consent_timestamp,price_eur"
)
LS_FOLDER = "purchased_lists/leadsource_eu"


def ls_row(ref: str, email: str = "max@acme.de", phone: str = "") -> str:
    return f"{ref},Mr,Max,Meier,ACME,CEO,IT,10,Weg 1,10115,Berlin,DE,{phone},{email},true,,,0.38"


def form(submission_id: str, **override) -> str:
    record = {"submission_id": submission_id, "form_type": "newsletter",
              "submitted_at": "2025-03-01T09:00:00+01:00", "fields": {"email": "a@b.de"},
              "consent": {"email_marketing": True}, "double_opt_in": None}
    record.update(override)
    return json.dumps(record)


def nested(depth: int) -> str:
    """A JSON object nested `depth` levels deep, as one line."""
    return '{"a":' * depth + "1" + "}" * depth


def lines(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Hostile:
    source_file: str
    data: bytes
    expected: tuple[str, int, int, int]  # status, rows_read, rows_loaded, rows_quarantined
    reasons: dict[int, str] = field(default_factory=dict)  # source_row -> quarantine reason


def hostile_files() -> list[Hostile]:
    twelve = [ls_row(f"LS-{i}") for i in range(1, 13)]
    twelve[1] = 'LS-2,Mr,Max,"Meier,ACME,CEO,IT,10,Weg 1,10115,Berlin,DE,,max@acme.de,true,,,0.38'
    huge = "x" * (limits().max_line_chars + 1)
    long_value = "y" * (limits().max_field_chars + 1)
    return [
        Hostile(
            "web_forms/deep.jsonl",
            lines(form("F-1"), nested(100_000), nested(3_000), form("F-2", x=[[[[1]]]])),
            ("loaded", 4, 2, 2),
            {2: "too_deeply_nested", 3: "too_deeply_nested"},
        ),
        Hostile(
            "web_forms/deep_in_strings.jsonl",
            # Brackets inside strings are text, not nesting: this line is fine.
            lines(form("F-3", fields={"email": "a@b.de", "message": "[" * 5_000 + "{" * 5_000})),
            ("loaded", 1, 1, 0),
        ),
        Hostile(
            "web_forms/keys.jsonl",
            lines(
                form("F-4", **{"a.b": "dotted"}),
                '{"submission_id":"F-5","submission_id":"F-6","form_type":"x",'
                '"submitted_at":"2025-03-01T09:00:00Z"}',
                '{"submission_id":"F-8","form_type":"x","submitted_at":"2025-03-01T09:00:00Z",'
                '"fields":{"email":"a@b.de","email":"c@d.de"}}',
            ),
            ("loaded", 3, 1, 2),
            {2: "duplicate_key", 3: "duplicate_key"},
        ),
        Hostile(
            "web_forms/long_line.jsonl",
            lines(form("F-9"), form("F-10", fields={"message": huge}), form("F-11", fields={"message": long_value})),
            ("loaded", 3, 1, 2),
            {2: "line_too_long", 3: "field_too_long"},
        ),
        Hostile(
            "web_forms/binary.jsonl",
            bytes(b for b in range(256) if b != 0x0A) + b"\n" + lines(form("F-12")),
            ("loaded", 2, 1, 1),
            {1: "undecodable_bytes"},
        ),
        Hostile(
            f"{LS_FOLDER}/stray_quote.csv",
            lines(LS_HEADER, *twelve),
            ("loaded", 12, 11, 1),
            {2: "unbalanced_quote"},
        ),
        Hostile(
            f"{LS_FOLDER}/two_stray_quotes.csv",
            lines(LS_HEADER, ls_row("LS-1"), 'LS-2,"Mr,Max', ls_row("LS-3"), 'LS-4,Mr",Max', ls_row("LS-5")),
            ("loaded", 5, 3, 2),
            {2: "unbalanced_quote", 4: "unbalanced_quote"},
        ),
        Hostile(
            f"{LS_FOLDER}/lineage_names.csv",
            lines(
                LS_HEADER + ",raw_text,source_row,source_file,extra_fields,reason",
                ls_row("LS-6") + ",RT,SR,SF,EF,RE",
            ),
            ("loaded", 1, 1, 0),
        ),
        Hostile(
            f"{LS_FOLDER}/long_field.csv",
            lines(LS_HEADER, ls_row("LS-7"), ls_row("LS-8").replace("Meier", long_value), ls_row("LS-9")),
            ("loaded", 3, 2, 1),
            {2: "field_too_long"},
        ),
        Hostile(
            f"{LS_FOLDER}/long_line.csv",
            lines(LS_HEADER, ls_row("LS-12"), ls_row("LS-13").replace("Meier", huge), ls_row("LS-14")),
            ("loaded", 3, 2, 1),
            {2: "line_too_long"},
        ),
        Hostile(
            f"{LS_FOLDER}/nul_bytes.csv",
            lines(LS_HEADER, ls_row("LS-10"), ls_row("LS-11").replace("Max", "M\x00x") + ",\x00"),
            ("loaded", 2, 1, 1),
            {2: "wrong_field_count"},
        ),
    ]
