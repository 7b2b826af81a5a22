-- Leads that objected to advertising (DSGVO Art. 21, `leadwerk object`), one row per lead.
-- privacy.objections is created by Dagster before dbt runs; a warehouse built without it has
-- no objection yet.
-- depends_on: {{ source('privacy', 'objections') }}

{%- set objections_relation = adapter.get_relation(database=target.database, schema='privacy', identifier='objections') %}

with

source as (

{%- if objections_relation is not none %}
    select lead_id, objected_at from {{ source('privacy', 'objections') }}
{%- else %}
    select cast(null as {{ dbt.type_string() }}) as lead_id, cast(null as {{ dbt.type_timestamp() }}) as objected_at
    where 1 = 0
{%- endif %}

)

select
    lead_id,
    min(objected_at) as first_objected_at
from source
group by lead_id
