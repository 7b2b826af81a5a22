"""Retry policy for transient failures (a locked file, a busy disk)."""

import dagster as dg

TRANSIENT_RETRY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL)
