"""Which columns count as personal data: read from pii_columns.yaml, not hard-coded."""

from __future__ import annotations

import pytest

from orchestration.publishing import load_pii_rules


@pytest.mark.parametrize(
    ("column", "action"),
    [
        ("email", "hash"),
        ("Phone", "hash"),
        ("first_name", "drop"),
        ("email_raw", "drop"),
        ("birth_date", "drop"),
        ("phone_consent_proof", "drop"),
        ("lead_id", "keep"),
        ("first_name__record_id", "keep"),
        ("email_domain", "keep"),
    ],
)
def test_shipped_rules_classify_canonical_columns(column, action):
    assert load_pii_rules().action(column) == action


def test_drop_wins_when_a_column_is_listed_for_both(tmp_path):
    rules_file = tmp_path / "pii.yaml"
    rules_file.write_text("hash: [email]\ndrop: ['e*']\n")

    assert load_pii_rules(rules_file).action("email") == "drop"


def test_unknown_keys_in_the_rules_file_are_an_error(tmp_path):
    rules_file = tmp_path / "pii.yaml"
    rules_file.write_text("hashed: [email]\n")

    with pytest.raises(ValueError, match="unknown keys"):
        load_pii_rules(rules_file)
