"""UTC-naive timestamps: the contracts store UTC as plain TIMESTAMP."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_naive(moment: datetime | None = None) -> datetime:
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
