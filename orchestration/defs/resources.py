"""Resources shared by every asset: the warehouse connection and the dbt CLI."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.warehouse import WAREHOUSE_CONFIG
from orchestration.defs.dbt_cli import LeadwerkDbtCliResource
from orchestration.defs.dbt_project import dbt_project
from orchestration.paths import export_environment, warehouse_path


@dg.definitions
def resources() -> dg.Definitions:
    export_environment()
    warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    return dg.Definitions(
        resources={
            "warehouse": DuckDBResource(database=str(warehouse_path()), connection_config=WAREHOUSE_CONFIG),
            "dbt": LeadwerkDbtCliResource(project_dir=dbt_project),
        },
        # DuckDB allows one writer: steps of a run execute one after another in one process.
        executor=dg.in_process_executor,
    )
