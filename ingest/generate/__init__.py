"""Demo data generator: realistic German/EU lead files for the landing folder, with ground truth.

``generate_landing`` writes the six source shapes of docs/data_contracts.md;
``generate_increment`` adds small nightly batches on top.
"""

from .api import ANCHOR_DATE, GenerateSummary, generate_increment, generate_landing

__all__ = ["ANCHOR_DATE", "GenerateSummary", "generate_increment", "generate_landing"]
