"""The salt file behind the bi hashes."""

from __future__ import annotations

import stat

from orchestration.publishing import load_or_create_salt


def test_salt_is_created_once_and_then_reused(data_dir):
    first = load_or_create_salt(data_dir)

    assert load_or_create_salt(data_dir) == first
    assert len(first) == 64


def test_salt_file_is_readable_by_its_owner_only(data_dir):
    load_or_create_salt(data_dir)

    mode = stat.S_IMODE((data_dir / ".bi_salt").stat().st_mode)
    assert mode == 0o600


def test_each_installation_gets_its_own_salt(tmp_path):
    assert load_or_create_salt(tmp_path / "a") != load_or_create_salt(tmp_path / "b")
