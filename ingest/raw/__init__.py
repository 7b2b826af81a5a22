"""Raw ingestion: landing files → raw.*, quarantine.rows and audit.file_registry.

Plain functions for the Dagster assets and the CLI; nothing here imports Dagster.
"""

from ingest.raw.contracts import Contract, ContractError, contract_formats, load_contracts
from ingest.raw.ingest_run import ingest_source_kind, registered_versions
from ingest.raw.landing import LandingFile, discover_landing_files
from ingest.raw.reader import FileRead, read_landing_file
from ingest.raw.report import FileStats, IngestReport
from ingest.raw.strays import report_stray_files, stray_landing_files

__all__ = [
    "Contract",
    "ContractError",
    "FileRead",
    "FileStats",
    "IngestReport",
    "LandingFile",
    "contract_formats",
    "discover_landing_files",
    "ingest_source_kind",
    "load_contracts",
    "read_landing_file",
    "registered_versions",
    "report_stray_files",
    "stray_landing_files",
]
