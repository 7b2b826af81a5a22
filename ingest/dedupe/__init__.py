"""Deduplication: match lead records, keep stable lead ids, and build golden records."""

from ingest.dedupe.build import DedupeReport, build_identity
from ingest.dedupe.config import DedupeConfig
from ingest.dedupe.engine import MatchResult, match_records
from ingest.dedupe.standalone import DedupeSummary, dedupe_csv

__all__ = [
    "DedupeConfig", "DedupeReport", "DedupeSummary", "MatchResult", "build_identity", "dedupe_csv",
    "match_records",
]
