"""A failed step's warehouse connection is closed, so the run summary can still read the warehouse."""

from __future__ import annotations

import duckdb
import pytest

from ingest.warehouse import WAREHOUSE_CONFIG
from orchestration.defs.resources import WarehouseResource
from orchestration.summary import rejected_files


def test_connection_of_a_failed_step_is_closed_and_the_summary_reads_the_warehouse(data_dir):
    path = data_dir / "warehouse.duckdb"
    resource = WarehouseResource(database=str(path), connection_config=WAREHOUSE_CONFIG)
    held = []
    with pytest.raises(RuntimeError, match="ingest failed"):
        with resource.get_connection() as conn:
            conn.execute("create schema audit")
            conn.execute("create table audit.file_registry (source_file varchar, file_sha256 varchar, "
                         "status varchar, batch_id varchar)")
            conn.execute("insert into audit.file_registry values ('a.csv', 'x', 'rejected', 'run-1')")
            conn.execute("create schema quarantine")
            conn.execute("create table quarantine.rows (source_file varchar, file_sha256 varchar, "
                         "source_row bigint, reason varchar, reason_detail varchar)")
            held.append(conn)  # what the failed step's traceback keeps alive
            raise RuntimeError("ingest failed")
    # Before the fix: "Can't open a connection to same database file with a different configuration".
    with duckdb.connect(str(path), read_only=True) as reader:
        assert reader.execute("select count(*) from audit.file_registry").fetchone() == (1,)
    assert [(f.source_file, f.reason) for f in rejected_files("run-1")] == [("a.csv", "rejected")]
    assert rejected_files("another-run") == []
