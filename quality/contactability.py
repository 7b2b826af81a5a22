"""The contactability rules (UWG §7, DSGVO Art. 6/7) as the consent suite applies them.

Their one home is the dbt seeds that mart_contactability reads:
- consent_proof_methods.csv: which consent collection methods count as documented proof;
- consent_proof_sources.csv: which of those proofs each kind of source can deliver;
- contactability_rules.csv: the switches (presumed B2B phone consent, existing customers).
The suite derives the legal bases it accepts from the same switches, so the quality gate and
the mart cannot drift apart when marketing ops flip one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"

# Legal bases mart_contactability writes; they name the law, so they are vocabulary, not rules.
CONSENT_WITH_PROOF = "consent_with_proof"
EXISTING_CUSTOMER = "existing_customer"
PRESUMED_B2B_PHONE_CONSENT = "presumed_b2b_phone_consent"
SEGMENTS = ("b2b", "b2c")


def _rows(seeds_dir: Path, name: str) -> list[dict[str, str]]:
    with (seeds_dir / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _flag(value: str) -> bool:
    if value.strip().lower() not in ("true", "false"):
        raise ValueError(f"expected true or false, got {value!r}")
    return value.strip().lower() == "true"


@dataclass(frozen=True)
class ContactabilityRules:
    switches: dict[str, str]
    # (channel, method) pairs that count as documented proof.
    proof_methods: frozenset[tuple[str, str]]
    # (channel, source_kind, method): which proof each kind of source can deliver.
    proof_sources: tuple[tuple[str, str, str], ...]

    def switch(self, key: str) -> bool:
        try:
            return _flag(self.switches[key])
        except KeyError:
            raise KeyError(f"contactability_rules.csv has no rule {key!r}") from None

    def email_legal_bases(self) -> list[str]:
        """Bases an e-mail-contactable lead may carry: consent with proof, and existing customers
        (UWG §7(3)) only while that switch is on."""
        bases = [CONSENT_WITH_PROOF]
        if self.switch("allow_existing_customer_email"):
            bases.append(EXISTING_CUSTOMER)
        return bases

    def phone_legal_bases_by_segment(self) -> dict[str, list[str]]:
        """B2C calls need express consent (UWG §7(2) Nr. 1); presumed consent is for B2B only,
        and only while that switch is on."""
        by_segment = {segment: [CONSENT_WITH_PROOF] for segment in SEGMENTS}
        if self.switch("allow_presumed_b2b_phone_consent"):
            by_segment["b2b"].append(PRESUMED_B2B_PHONE_CONSENT)
        return by_segment

    def proof_methods_by_source_kind(self, channel: str) -> dict[str, list[str]]:
        by_kind: dict[str, list[str]] = {}
        for row_channel, kind, method in self.proof_sources:
            if row_channel == channel:
                by_kind.setdefault(kind, []).append(method)
        return by_kind


@cache
def load_contactability_rules(seeds_dir: Path = SEEDS_DIR) -> ContactabilityRules:
    methods = _rows(seeds_dir, "consent_proof_methods.csv")
    proof_methods = frozenset((r["channel"], r["method"]) for r in methods if _flag(r["counts_as_proof"]))
    sources = tuple((r["channel"], r["source_kind"], r["method"]) for r in _rows(seeds_dir, "consent_proof_sources.csv"))
    not_proof = [s for s in sources if (s[0], s[2]) not in proof_methods]
    if not_proof:
        raise ValueError(f"consent_proof_sources.csv lists methods that are no proof in consent_proof_methods.csv: "
                         f"{not_proof}")
    switches = {r["rule_key"]: r["rule_value"] for r in _rows(seeds_dir, "contactability_rules.csv")}
    return ContactabilityRules(switches=switches, proof_methods=proof_methods, proof_sources=sources)
