"""The retention and proof rules as a typed object, read from `policy.yaml` (rules are data)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_POLICY_FILE = Path(__file__).with_name("policy.yaml")


@dataclass(frozen=True)
class PrivacyPolicy:
    inactive_leads_enabled: bool
    inactive_months: int
    landing_max_age_days: int | None
    phone_proof_keep_years: int
    phone_use_touchpoint_types: tuple[str, ...]
    art14_due_months: int
    art14_contact_touchpoint_types: tuple[str, ...]


def load_policy(path: Path = DEFAULT_POLICY_FILE) -> PrivacyPolicy:
    """Parse the policy; objections are refused to expire so a typo cannot undo an Art. 21 objection."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    retention = data.get("retention") or {}
    inactive = retention.get("inactive_leads") or {}
    landing = retention.get("landing_files") or {}
    phone = (data.get("proof_retention") or {}).get("phone_consent") or {}
    if (data.get("objections") or {}).get("expire", False):
        raise ValueError(f"{path}: objections.expire must stay false (DSGVO Art. 21)")
    keep_years = int(phone.get("keep_years", 5))
    if keep_years < 5:
        raise ValueError(f"{path}: proof_retention.phone_consent.keep_years below 5 violates UWG §7a")
    max_age = landing.get("max_age_days")
    art14 = data.get("art14_notice") or {}
    return PrivacyPolicy(
        inactive_leads_enabled=bool(inactive.get("enabled", True)),
        inactive_months=int(inactive.get("inactive_months", 24)),
        landing_max_age_days=None if max_age is None else int(max_age),
        phone_proof_keep_years=keep_years,
        phone_use_touchpoint_types=tuple(phone.get("use_touchpoint_types") or ()),
        art14_due_months=int(art14.get("due_months", 1)),
        art14_contact_touchpoint_types=tuple(art14.get("contact_touchpoint_types") or ()),
    )
