"""A small, realistic core warehouse for testing the dbt project.

Writes `core.lead_records`, `core.consent_records`, `core.touchpoints`, `core.lead_identity` and
`core.golden_leads` with the columns ingest/tables.py declares into a DuckDB file: a few hundred
people arriving from purchased lists, web forms and CRM exports, several records per person,
plus named people whose expected treatment the tests check. The builder knows each record's
person, so it also returns the truth (for example each source's duplicate rate) that the marts
must reproduce.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from ingest.tables import (
    CONSENT_RECORDS,
    GOLDEN_LEADS,
    LEAD_IDENTITY,
    LEAD_RECORDS,
    POLARS_TYPES,
    TOUCHPOINTS,
    table,
)
from scoring import TrainingReport, load_settings, train_and_score

AS_OF = date(2025, 6, 30)

_TYPES = POLARS_TYPES

# The core tables' columns and DuckDB types, as ingest/tables.py declares them.
LEAD_RECORD_COLUMNS = table(LEAD_RECORDS).columns
CONSENT_RECORD_COLUMNS = table(CONSENT_RECORDS).columns
TOUCHPOINT_COLUMNS = table(TOUCHPOINTS).columns
LEAD_IDENTITY_COLUMNS = table(LEAD_IDENTITY).columns
# Survival groups as in ingest/rules/survivorship.yaml: fields of a group come from one record.
SURVIVAL_GROUPS = [
    ["salutation"], ["academic_title"], ["first_name", "first_name_raw"],
    ["last_name", "last_name_raw"],
    ["email", "email_raw", "email_match_key", "email_domain", "email_valid", "email_is_freemail",
     "email_is_role"],
    ["phone", "phone_raw", "phone_type", "phone_valid"],
    ["street", "house_number", "postcode", "city", "country_code", "postcode_valid"],
    ["birth_date"], ["company", "company_key", "legal_form"],
    ["job_title", "seniority", "department", "budget_authority"], ["industry"],
    ["employee_count"], ["segment"], ["channel"], ["lead_source_detail", "form_type"],
    ["list_price"], ["created_at"], ["crm_status", "lifecycle_stage", "converted_at", "rating"],
]
SURVIVED_FIELDS = [f for group in SURVIVAL_GROUPS for f in group]
GOLDEN_COLUMNS = table(GOLDEN_LEADS).columns

LAST_ACTIVITIES_WEIGHTS = [  # (type, weight at propensity 0, extra weight per unit of propensity)
    ("email_opened", 3, 3), ("page_visited_on_website", 3, 2), ("form_submitted_on_website", 0.5, 3),
    ("email_link_clicked", 0.5, 3), ("email_bounced", 1.5, -1.4), ("unsubscribed", 1, -0.9),
]
LAST_ACTIVITIES = [t for t, _, _ in LAST_ACTIVITIES_WEIGHTS]
SOURCE_PRIORITY = {"crm_export": 1, "web_form": 2, "purchased_list": 3}
VENDOR_PRICES = {"adressdirekt": 0.45, "leadsource_eu": 0.38}

INDUSTRIES = [  # (label as normalized, is a target industry in the seed)
    ("Software/IT", True), ("Maschinenbau", True), ("Finanzdienstleistungen", True),
    ("Gesundheitswesen", True), ("Handel", False), ("Logistik", False), ("Bauwesen", False),
    ("Beratung", False), ("Medien", False),
]
TITLES = [  # (job title, seniority, budget authority, weight)
    ("Geschäftsführer", "c_level", True, 6), ("CEO", "c_level", True, 2),
    ("Vertriebsdirektor", "vp_director", True, 4), ("Head of Marketing", "head_of", True, 6),
    ("Abteilungsleiterin Einkauf", "head_of", True, 4), ("Marketing Manager", "manager", False, 10),
    ("Referentin Vertrieb", "manager", False, 6), ("Sachbearbeiter", "individual", False, 10),
    ("Entwickler", "individual", False, 8),
]
COUNTRIES = [("DE", 70), ("AT", 10), ("CH", 8), ("FR", 6), ("NL", 6)]
CITIES = [("10115", "Berlin"), ("80331", "München"), ("20095", "Hamburg"), ("50667", "Köln"),
          ("60311", "Frankfurt am Main"), ("70173", "Stuttgart"), ("04109", "Leipzig")]
FIRST_NAMES = ["Anna", "Lukas", "Sophie", "Jonas", "Marie", "Felix", "Lea", "Paul", "Emma", "Max"]
LAST_NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"]
FREEMAIL = ["gmx.de", "web.de", "gmail.com", "t-online.de"]
LOW_FORMS = ["newsletter", "whitepaper", "webinar", "contact_form"]
HIGH_FORMS = ["demo_request", "callback"]
STAGES = ["lead", "mql", "sql", "opportunity", "customer"]


@dataclass
class FixtureTruth:
    """What the builder knows, for the tests to compare the marts with."""

    as_of: date
    hot_lead_id: str = ""
    opted_out_lead_id: str = ""
    purchased_without_proof_lead_id: str = ""
    purchased_with_proof_lead_id: str = ""
    existing_customer_lead_id: str = ""
    b2b_phone_lead_id: str = ""
    b2c_phone_lead_id: str = ""
    lead_count: int = 0
    record_count: int = 0
    touchpoint_count: int = 0
    # (source_kind, source_system, source_detail) -> share of records of an already known person
    duplicate_rate_by_source: dict[tuple[str, str, str], float] = field(default_factory=dict)
    model_report: TrainingReport | None = None


@dataclass
class _Person:
    lead_id: str
    attributes: dict
    propensity: float
    records: list[dict] = field(default_factory=list)


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        # Behaviour and outcomes draw from their own stream, so the people stay the same.
        self.behaviour_rng = random.Random(seed + 1)
        self.people: list[_Person] = []
        self.consents: list[dict] = []
        self.touchpoints: list[dict] = []
        self._record_seq = 0

    # ---------- people
    def person(self, **overrides) -> _Person:
        rng = self.rng
        n = len(self.people) + 1
        segment = overrides.pop("segment", "b2b" if rng.random() < 0.8 else "b2c")
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        title, seniority, budget, _ = rng.choices(TITLES, weights=[t[3] for t in TITLES])[0]
        industry, is_target = rng.choice(INDUSTRIES)
        employees = rng.choice([5, 20, 80, 150, 400, 1200, 5000])
        country = rng.choices([c for c, _ in COUNTRIES], weights=[w for _, w in COUNTRIES])[0]
        postcode, city = rng.choice(CITIES)
        freemail = segment == "b2c" or rng.random() < 0.2
        company = f"{last} {industry.split('/')[0]} GmbH"
        domain = rng.choice(FREEMAIL) if freemail else f"{last.lower().replace('ü', 'ue')}-{n}.de"
        email = f"{first.lower()}.{last.lower().replace('ü', 'ue')}{n}@{domain}"
        attributes = {
            "salutation": "frau" if first in ("Anna", "Sophie", "Marie", "Lea", "Emma") else "herr",
            "first_name": first, "last_name": last, "first_name_raw": first, "last_name_raw": last,
            "email": email, "email_raw": email, "email_match_key": email, "email_domain": domain,
            "email_valid": rng.random() > 0.05, "email_is_freemail": freemail,
            "email_is_role": False,
            "phone": f"+49301234{n:04d}" if rng.random() < 0.7 else None,
            "street": "Hauptstraße", "house_number": str(rng.randint(1, 99)),
            "postcode": postcode, "city": city, "country_code": country, "postcode_valid": True,
            "segment": segment,
        }
        attributes["phone_raw"] = attributes["phone"]
        attributes["phone_type"] = (
            None if attributes["phone"] is None else ("fixed" if segment == "b2b" else "mobile")
        )
        attributes["phone_valid"] = attributes["phone"] is not None and rng.random() > 0.05
        if segment == "b2b":
            attributes.update({
                "company": company, "company_key": company.lower().removesuffix(" gmbh"),
                "legal_form": "GmbH", "job_title": title, "seniority": seniority,
                "department": "management" if seniority == "c_level" else "marketing",
                "budget_authority": budget, "industry": industry, "employee_count": employees,
            })
        attributes.update(overrides)
        fit = (
            (1.0 if attributes.get("industry") in {i for i, t in INDUSTRIES if t} else 0.0)
            + {"c_level": 1.0, "vp_director": 0.8, "head_of": 0.6, "manager": 0.3}.get(
                attributes.get("seniority"), 0.0)
            + (0.5 if attributes.get("country_code") in ("DE", "AT", "CH") else 0.0)
            + (0.0 if attributes["email_is_freemail"] else 0.4)
        )
        propensity = min(1.0, max(0.0, fit / 2.9 + rng.uniform(-0.25, 0.25)))
        person = _Person(f"lead-{n:05d}", attributes, propensity)
        self.people.append(person)
        return person

    # ---------- records
    def record(self, person: _Person, source_kind: str, source_system: str, arrived: datetime,
               **fields) -> dict:
        self._record_seq += 1
        n = self._record_seq
        has_id = source_kind != "purchased_list"
        source_record_id = f"{source_system[:2]}{n:06d}" if has_id else None
        record_id = (f"{source_system}:{source_record_id}" if has_id
                     else f"{source_system}:h:{n:016x}")
        folder = {"purchased_list": f"purchased_lists/{source_system}",
                  "web_form": "web_forms", "crm_export": f"crm_exports/{source_system}"}[source_kind]
        row = {c: None for c in LEAD_RECORD_COLUMNS}
        row.update({k: v for k, v in person.attributes.items() if k in LEAD_RECORD_COLUMNS})
        if source_kind == "web_form":  # forms ask for no industry, size or street
            for name in ("industry", "employee_count", "street", "house_number"):
                row[name] = None
        row.update({
            "record_id": record_id, "source_kind": source_kind, "source_system": source_system,
            "source_file": f"{folder}/{arrived:%Y-%m}.{'jsonl' if has_id and source_kind == 'web_form' else 'csv'}",
            "source_row": n, "file_sha256": f"{n:064x}",
            "ingested_at": arrived + timedelta(hours=2) if source_kind != "purchased_list" else arrived,
            "batch_id": f"batch-{arrived:%Y%m%d}", "source_record_id": source_record_id,
            "crm_id": source_record_id if source_kind == "crm_export" else None,
            "created_at": None if source_kind == "purchased_list" else arrived,
            "channel": "outbound" if source_kind == "purchased_list" else "inbound",
            "lead_source_detail": {"purchased_list": "list_purchase", "web_form": None,
                                   "crm_export": "website"}[source_kind],
            "list_price": VENDOR_PRICES.get(source_system) if source_kind == "purchased_list" else None,
            "email_consent": "unknown", "phone_consent": "unknown", "postal_consent": "unknown",
            "do_not_email": False, "do_not_call": False,
        })
        if source_kind != "purchased_list":
            row.update(self.behaviour(person, arrived))
        row.update(fields)
        if source_kind == "web_form" and row["lead_source_detail"] is None:
            row["lead_source_detail"] = row["form_type"]
        person.records.append(row)
        return row

    def behaviour(self, person: _Person, arrived: datetime) -> dict:
        """Activity columns of a web-form or CRM record: keener people visit, read and click more."""
        rng, p = self.behaviour_rng, person.propensity
        visits = max(0, round(rng.gauss(1 + 8 * p, 1.5)))
        last = rng.choices(LAST_ACTIVITIES, weights=[w0 + w1 * p for _, w0, w1 in LAST_ACTIVITIES_WEIGHTS])[0]
        return {
            "web_visits": float(visits),
            "time_on_site_seconds": float(round(visits * 60 * rng.uniform(0.5, 1.5) * (1 + 6 * p))),
            "page_views": float(visits * rng.randint(1, 4)),
            "email_opens": float(max(0, round(rng.gauss(4 * p, 1)))),
            "email_clicks": float(max(0, round(rng.gauss(2 * p - 0.5, 0.7)))),
            "form_submissions": float(rng.random() < p) + float(rng.random() < p / 2),
            "last_activity_type": last,
            "last_activity_at": min(arrived + timedelta(days=rng.randint(0, 30)), _day(0)),
            "lead_source": rng.choice(["Web", "Referral", "Trade Show", "Purchased List"]),
            "source_score": float(round(100 * p + rng.gauss(0, 25))),
        }

    def consent(self, row: dict, channel: str, status: str, method: str, proof: str | None,
                at: datetime) -> None:
        row[f"{channel}_consent"] = "granted" if status == "granted" else "denied"
        row[f"{channel}_consent_at"] = at
        row[f"{channel}_consent_source"] = row["source_kind"]
        row[f"{channel}_consent_proof"] = proof
        self.consents.append({
            "consent_id": f"c:{row['record_id']}:{channel}", "record_id": row["record_id"],
            "channel": channel, "purpose": "advertising", "status": status, "given_at": at,
            "withdrawn_at": at if status == "withdrawn" else None,
            "source_kind": row["source_kind"], "source_system": row["source_system"],
            "method": method, "proof_ref": proof, "consent_text_version": "v3",
        })

    def touch(self, row: dict, touchpoint_type: str, at: datetime, cost: float | None = None) -> None:
        self.touchpoints.append({
            "touchpoint_id": f"tp:{row['record_id']}:{len(self.touchpoints):06d}",
            "record_id": row["record_id"], "touchpoint_type": touchpoint_type, "occurred_at": at,
            "source_kind": row["source_kind"], "source_system": row["source_system"],
            "cost_eur": cost, "detail": None,
        })

    # ---------- sources
    def purchased(self, person: _Person, vendor: str, arrived: datetime, *, consent: str) -> dict:
        row = self.record(person, "purchased_list", vendor, arrived)
        if consent == "with_proof":
            self.consent(row, "email", "granted", "vendor_proof", f"{vendor}-proof-{len(self.consents)}",
                         arrived - timedelta(days=200))
        elif consent == "without_proof":
            self.consent(row, "email", "granted", "vendor_proof", None, arrived - timedelta(days=200))
        self.touch(row, "list_purchase", arrived, VENDOR_PRICES[vendor])
        return row

    def web_form(self, person: _Person, form_type: str, arrived: datetime, *, doi: bool,
                 phone_consent: bool = False) -> dict:
        row = self.record(person, "web_form", "web_forms", arrived, form_type=form_type)
        if doi:
            self.consent(row, "email", "granted", "double_opt_in", f"doi-{row['source_record_id']}",
                         arrived + timedelta(minutes=5))
        elif self.rng.random() < 0.4:
            self.consent(row, "email", "granted", "checkbox", None, arrived)
        if phone_consent:
            self.consent(row, "phone", "granted", "checkbox", None, arrived)
        self.touch(row, form_type, arrived)
        return row

    def crm(self, person: _Person, system: str, arrived: datetime, *, stage: str,
            do_not_email: bool = False, do_not_call: bool = False, activities: int = 0) -> dict:
        reached = STAGES.index(stage)
        row = self.record(person, "crm_export", system, arrived, lifecycle_stage=stage,
                          crm_status=stage, do_not_email=do_not_email, do_not_call=do_not_call)
        self.touch(row, "crm_created", arrived)
        at = arrived
        for later_stage in STAGES[1 : reached + 1]:
            at = min(at + timedelta(days=self.rng.randint(3, 40)), datetime.combine(AS_OF, datetime.min.time()))
            self.touch(row, f"crm_{later_stage}", at)
            if later_stage == "opportunity":
                row["converted_at"] = at
                row["outcome"], row["outcome_at"] = "converted", at
        if reached < STAGES.index("opportunity") and arrived < _day(60) and self.behaviour_rng.random() < 0.8:
            row["outcome"] = self.behaviour_rng.choice(["lost", "lost", "disqualified"])
            row["outcome_at"] = min(arrived + timedelta(days=self.behaviour_rng.randint(10, 50)), _day(0))
        for _ in range(activities):
            self.touch(row, "crm_activity", min(arrived + timedelta(days=self.rng.randint(0, 60)), _day(0)))
        if do_not_email:
            self.consent(row, "email", "withdrawn", "crm_flag", None, arrived)
            row["email_consent"] = "denied"
        return row


def _day(days_before_as_of: int, hour: int = 10) -> datetime:
    return datetime.combine(AS_OF - timedelta(days=days_before_as_of), datetime.min.time()) + timedelta(hours=hour)


def _population(b: _Builder, n_people: int) -> None:
    rng = b.rng
    vendors = list(VENDOR_PRICES)
    for _ in range(n_people):
        person = b.person()
        p = person.propensity
        arrived = _day(rng.randint(20, 360), rng.randint(7, 18))
        kinds = ["purchased_list", "web_form", "crm_export"]
        first = rng.choices(kinds, weights=[45, 35, 20])[0]
        plan = [first]
        if rng.random() < 0.35:
            plan.append(rng.choice(kinds))
        if rng.random() < 0.10:
            plan.append(rng.choice(kinds))
        for i, kind in enumerate(plan):
            at = min(arrived + timedelta(days=sum(rng.randint(1, 45) for _ in range(i))), _day(1))
            if kind == "purchased_list":
                consent = rng.choices(["with_proof", "without_proof", "none"], weights=[40, 30, 30])[0]
                b.purchased(person, rng.choice(vendors), at, consent=consent)
            elif kind == "web_form":
                form = rng.choice(HIGH_FORMS) if rng.random() < p * 0.6 else rng.choice(LOW_FORMS)
                row = b.web_form(person, form, at, doi=rng.random() < 0.7,
                                 phone_consent=rng.random() < 0.3)
                for _ in range(rng.randint(0, int(4 * p))):
                    b.touch(row, rng.choice(LOW_FORMS), min(at + timedelta(days=rng.randint(1, 60)), _day(0)))
            else:
                reached = 0
                while reached < 4 and rng.random() < 0.25 + 0.6 * p:
                    reached += 1
                b.crm(person, rng.choice(["hubspot", "salesforce"]), at, stage=STAGES[reached],
                      do_not_email=rng.random() < 0.08, do_not_call=rng.random() < 0.05,
                      activities=rng.randint(0, 3))


def _named_people(b: _Builder, truth: FixtureTruth) -> None:
    # A managing director of a software company who asked for a demo five days ago.
    hot = b.person(segment="b2b", job_title="Geschäftsführer", seniority="c_level",
                   budget_authority=True, industry="Software/IT", employee_count=250,
                   country_code="DE", email="ceo@hot-software.de", email_raw="ceo@hot-software.de",
                   email_match_key="ceo@hot-software.de", email_domain="hot-software.de",
                   email_valid=True, email_is_freemail=False)
    b.purchased(hot, "adressdirekt", _day(120), consent="none")
    b.web_form(hot, "demo_request", _day(5), doi=True)
    truth.hot_lead_id = hot.lead_id

    # Double opt-in on the website, later unsubscribed in HubSpot; also an existing customer.
    opted_out = b.person(segment="b2b", email_valid=True)
    b.web_form(opted_out, "whitepaper", _day(200), doi=True)
    b.crm(opted_out, "hubspot", _day(150), stage="customer", do_not_email=True)
    truth.opted_out_lead_id = opted_out.lead_id

    # Bought addresses whose vendor says "consent: yes" without any proof.
    no_proof = b.person(segment="b2b", email_valid=True)
    b.purchased(no_proof, "leadsource_eu", _day(60), consent="without_proof")
    truth.purchased_without_proof_lead_id = no_proof.lead_id

    with_proof = b.person(segment="b2b", email_valid=True)
    b.purchased(with_proof, "adressdirekt", _day(60), consent="with_proof")
    truth.purchased_with_proof_lead_id = with_proof.lead_id

    customer = b.person(segment="b2b", email_valid=True)
    b.crm(customer, "salesforce", _day(300), stage="customer")
    truth.existing_customer_lead_id = customer.lead_id

    b2b_phone = b.person(segment="b2b", phone="+493012340001", phone_raw="030 1234 0001",
                         phone_type="fixed", phone_valid=True)
    b.purchased(b2b_phone, "leadsource_eu", _day(40), consent="none")
    truth.b2b_phone_lead_id = b2b_phone.lead_id

    b2c_phone = b.person(segment="b2c", phone="+4917012345678", phone_raw="0170 12345678",
                         phone_type="mobile", phone_valid=True)
    b.web_form(b2c_phone, "newsletter", _day(40), doi=False, phone_consent=False)
    truth.b2c_phone_lead_id = b2c_phone.lead_id


def _arrival_key(row: dict) -> tuple:
    return (row["created_at"] or row["ingested_at"], row["ingested_at"], row["record_id"])


def _golden(person: _Person) -> dict:
    records = person.records
    golden: dict = {"lead_id": person.lead_id}
    for group in SURVIVAL_GROUPS:
        candidates = [r for r in records if r[group[0]] is not None]
        if group == ["channel"] or group == ["created_at"] or group[0] == "lead_source_detail":
            candidates.sort(key=_arrival_key)
        else:
            candidates.sort(key=lambda r: (SOURCE_PRIORITY[r["source_kind"]], _arrival_key(r)))
        chosen = candidates[0] if candidates else None
        for name in group:
            golden[name] = chosen[name] if chosen else None
            golden[f"{name}__record_id"] = chosen["record_id"] if chosen else None
    arrivals = [r["created_at"] or r["ingested_at"] for r in records]
    golden.update({
        "record_count": len(records),
        "source_kinds": ",".join(sorted({r["source_kind"] for r in records})),
        "source_systems": ",".join(sorted({r["source_system"] for r in records})),
        "first_seen_at": min(arrivals), "last_seen_at": max(arrivals),
        "do_not_email": any(r["do_not_email"] for r in records),
        "do_not_call": any(r["do_not_call"] for r in records),
    })
    for channel in ("email", "phone", "postal"):
        stated = [r for r in records if r[f"{channel}_consent"] in ("granted", "denied")]
        denied = [r for r in stated if r[f"{channel}_consent"] == "denied"]
        granted = sorted((r for r in stated if r[f"{channel}_consent"] == "granted"),
                         key=lambda r: (r[f"{channel}_consent_proof"] is not None, r[f"{channel}_consent_at"]),
                         reverse=True)
        # An opt-out on a record keeps its grant elsewhere visible: the opt-out flag decides.
        chosen = granted[0] if granted else (denied[0] if denied else None)
        for suffix in ("consent", "consent_at", "consent_source", "consent_proof"):
            golden[f"{channel}_{suffix}"] = chosen[f"{channel}_{suffix}"] if chosen else None
        golden[f"{channel}_consent"] = golden[f"{channel}_consent"] or "unknown"
        golden[f"{channel}_consent_record_id"] = chosen["record_id"] if chosen else None
    return golden


def _frame(rows: list[dict], columns: dict[str, str]) -> pl.DataFrame:
    schema = {name: _TYPES[kind] for name, kind in columns.items()}
    return pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], schema=schema, orient="row")


def _write(conn: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, append: bool = False) -> None:
    conn.register("_fixture_rows", frame.to_arrow())
    if append:
        conn.execute(f"insert into {table} select * from _fixture_rows")
    else:
        conn.execute(f"create or replace table {table} as select * from _fixture_rows")
    conn.unregister("_fixture_rows")


def build_fixture_warehouse(path: Path, n_people: int = 400, seed: int = 7, min_outcomes: int = 20) -> FixtureTruth:
    """Write the core tables of a fresh warehouse at `path` and return what the marts must show.

    The conversion model is trained as the pipeline does (scoring/), with the default settings
    except that `min_outcomes` converted and lost leads suffice (a fixture is small).
    """
    builder = _Builder(seed)
    truth = FixtureTruth(as_of=AS_OF)
    _population(builder, n_people)
    _named_people(builder, truth)

    records = [r for p in builder.people for r in p.records]
    identity = [
        {"record_id": r["record_id"], "lead_id": p.lead_id, "match_rule": "fixture",
         "match_score": 1.0, "assigned_at": r["ingested_at"]}
        for p in builder.people for r in p.records
    ]
    golden = [_golden(p) for p in builder.people]

    by_source: dict[tuple[str, str, str], list[bool]] = defaultdict(list)
    for person in builder.people:
        for i, row in enumerate(sorted(person.records, key=_arrival_key)):
            key = (row["source_kind"], row["source_system"], row["form_type"] or row["source_system"])
            by_source[key].append(i > 0)
    truth.duplicate_rate_by_source = {k: sum(v) / len(v) for k, v in by_source.items()}
    truth.lead_count, truth.record_count = len(golden), len(records)
    truth.touchpoint_count = len(builder.touchpoints)

    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema if not exists core")
        _write(conn, LEAD_RECORDS, _frame(records, LEAD_RECORD_COLUMNS))
        _write(conn, CONSENT_RECORDS, _frame(builder.consents, CONSENT_RECORD_COLUMNS))
        _write(conn, TOUCHPOINTS, _frame(builder.touchpoints, TOUCHPOINT_COLUMNS))
        _write(conn, LEAD_IDENTITY, _frame(identity, LEAD_IDENTITY_COLUMNS))
        _write(conn, GOLDEN_LEADS, _frame(golden, GOLDEN_COLUMNS))
        settings = replace(load_settings(), min_converted=min_outcomes, min_lost=min_outcomes)
        truth.model_report = train_and_score(conn, settings, datetime.combine(AS_OF, datetime.min.time()))
    return truth


def add_new_touchpoints(path: Path, share: float = 0.01, seed: int = 11) -> int:
    """Append new touchpoints (about `share` of the existing ones) to existing records, as a
    nightly load would. Returns how many were added."""
    rng = random.Random(seed)
    with duckdb.connect(str(path)) as conn:
        existing = conn.execute(f"select count(*) from {TOUCHPOINTS}").fetchone()[0]
        records = conn.execute(
            f"select record_id, source_kind, source_system from {LEAD_RECORDS} order by record_id"
        ).fetchall()
        count = max(1, round(existing * share))
        rows = []
        for i in range(count):
            record_id, kind, system = rng.choice(records)
            rows.append({
                "touchpoint_id": f"tp:new:{seed}:{i:06d}", "record_id": record_id,
                "touchpoint_type": rng.choice(LOW_FORMS + HIGH_FORMS + ["crm_activity"]),
                "occurred_at": _day(rng.randint(0, 10), rng.randint(7, 18)),
                "source_kind": kind, "source_system": system, "cost_eur": None, "detail": None,
            })
        _write(conn, TOUCHPOINTS, _frame(rows, TOUCHPOINT_COLUMNS), append=True)
    return count
