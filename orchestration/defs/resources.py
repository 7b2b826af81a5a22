"""Resources shared by every asset: the warehouse connection and the dbt CLI."""

from contextlib import contextmanager

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from ingest.warehouse import WAREHOUSE_CONFIG
from orchestration.defs.dbt_project import dbt_project
from orchestration.paths import export_environment, warehouse_path


class WarehouseResource(DuckDBResource):
    """DuckDBResource whose connection is closed also when the step fails.

    dagster-duckdb closes it only after a clean exit; a failed step's connection then lives on
    in the process, and DuckDB refuses any differently configured connection to the same file
    (the run summary's read-only one) with "different configuration".
    """

    @contextmanager
    def get_connection(self):
        opened = super().get_connection()
        conn = opened.__enter__()
        try:
            yield conn
        finally:
            conn.close()


@dg.definitions
def resources() -> dg.Definitions:
    export_environment()
    warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(database=str(warehouse_path()), connection_config=WAREHOUSE_CONFIG),
            "dbt": DbtCliResource(project_dir=dbt_project),
        },
        # DuckDB allows one writer: steps of a run execute one after another in one process.
        executor=dg.in_process_executor,
    )
