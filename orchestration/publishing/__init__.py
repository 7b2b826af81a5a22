"""Publishing for BI tools: audited marts copied to `data/serving/` and swapped in atomically.

Plain Python on purpose (no Dagster import): the `serving` asset calls it, and so can the CLI.
"""

from ingest.privacy.salt import load_or_create_salt
from orchestration.publishing.pii_rules import PiiRules, load_pii_rules
from orchestration.publishing.publish import PublishError, PublishResult, publish
from orchestration.publishing.serving_state import published_version, serving_fingerprint

__all__ = [
    "PiiRules",
    "PublishError",
    "PublishResult",
    "load_or_create_salt",
    "load_pii_rules",
    "publish",
    "published_version",
    "serving_fingerprint",
]
