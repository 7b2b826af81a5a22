"""The dbt project behind the marts (dbt_project/ at the repository root)."""

from dagster_dbt import DbtProject

from orchestration.paths import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
