"""What an ingestion run did, per file and in total, in a shape Dagster metadata can take."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class FileStats:
    source_file: str
    file_sha256: str
    source_kind: str
    source_system: str
    contract: str | None
    encoding: str | None
    delimiter: str | None
    file_bytes: int
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_suppressed: int
    status: str  # loaded | empty | rejected
    unmapped_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)  # mapped by the contract, absent in the file
    # file-level reason (empty_file, header_only, unknown_format, symlink, not_a_regular_file,
    # unreadable_file)
    note: str | None = None

    def balanced(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined + self.rows_suppressed


@dataclass
class IngestReport:
    source_kind: str
    batch_id: str
    files: list[FileStats] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)  # already registered versions
    vanished_files: list[str] = field(default_factory=list)  # removed between listing and reading

    def total(self, counter: str) -> int:
        return sum(getattr(f, counter) for f in self.files)

    @property
    def rows_read(self) -> int:
        return self.total("rows_read")

    @property
    def rows_loaded(self) -> int:
        return self.total("rows_loaded")

    @property
    def rows_quarantined(self) -> int:
        return self.total("rows_quarantined")

    @property
    def rows_suppressed(self) -> int:
        return self.total("rows_suppressed")

    def to_metadata(self) -> dict[str, object]:
        """Plain values (ints, strings, lists, dicts) for MaterializeResult metadata."""
        return {
            "source_kind": self.source_kind,
            "batch_id": self.batch_id,
            "files_ingested": len(self.files),
            "files_skipped": len(self.skipped_files),
            "files_vanished": self.vanished_files,
            "files_rejected": sum(f.status == "rejected" for f in self.files),
            "files_empty": sum(f.status == "empty" for f in self.files),
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "rows_suppressed": self.rows_suppressed,
            "dagster/row_count": self.rows_loaded,
            "unmapped_columns": sorted({c for f in self.files for c in f.unmapped_columns}),
            "files": [asdict(f) for f in self.files],
        }
