{{ config(materialized='table') }}

-- When each lead entered each lifecycle stage. Evidence: record arrivals and touchpoints (the
-- lead stage), CRM stage events (crm_mql ... crm_customer touchpoints) and the lifecycle
-- snapshot. Reaching a stage implies passing the earlier ones, so a stage's entry time is the
-- earliest evidence of that stage or any later one; entry times therefore never go backwards.

with

records as (

    select * from {{ ref('int_lead_records_sequenced') }}

),

touchpoints as (

    select * from {{ ref('int_touchpoints_accumulated') }}

),

identity as (

    select * from {{ ref('stg_core__lead_identity') }}

),

stages as (

    select * from {{ ref('lifecycle_stages') }}

),

lifecycle_history as (

    select * from {{ ref('snap_lead_lifecycle') }}

),

record_evidence as (

    select lead_id, {{ stage_rank('lead') }} as stage_rank, arrived_at as evidence_at
    from records
    where arrived_at is not null

),

touchpoint_evidence as (

    select
        identity.lead_id,
        coalesce(stages.stage_rank, {{ stage_rank('lead') }}) as stage_rank,
        touchpoints.occurred_at as evidence_at
    from touchpoints
    inner join identity on touchpoints.record_id = identity.record_id
    left join stages on touchpoints.touchpoint_type = stages.crm_touchpoint_type
    where touchpoints.occurred_on <= {{ as_of_date() }}

),

current_leads as (

    select distinct lead_id from identity

),

snapshot_evidence as (

    -- The snapshot keeps the history of lead ids a merge retired; only current leads count
    -- (the surviving id is the older one and carries its own history).
    select
        lifecycle_history.lead_id,
        stages.stage_rank,
        lifecycle_history.dbt_valid_from as evidence_at
    from lifecycle_history
    inner join stages on lifecycle_history.lifecycle_stage = stages.lifecycle_stage
    inner join current_leads on lifecycle_history.lead_id = current_leads.lead_id

),

evidence as (

    select * from record_evidence
    union all
    select * from touchpoint_evidence
    union all
    select * from snapshot_evidence

),

per_lead as (

    select
        lead_id,
        max(stage_rank) as highest_stage_rank,
        {%- for stage in ['lead', 'mql', 'sql', 'opportunity', 'customer'] %}
        min(case when stage_rank >= {{ stage_rank(stage) }} then evidence_at end) as entered_{{ stage }}_at{{ ',' if not loop.last }}
        {%- endfor %}
    from evidence
    group by lead_id

)

select
    per_lead.lead_id,
    stages.lifecycle_stage as highest_stage_reached,
    per_lead.highest_stage_rank,
    per_lead.entered_lead_at as first_touch_at,
    per_lead.entered_mql_at,
    per_lead.entered_sql_at,
    per_lead.entered_opportunity_at,
    per_lead.entered_customer_at,
    per_lead.entered_mql_at is not null as reached_mql,
    per_lead.entered_sql_at is not null as reached_sql,
    per_lead.entered_opportunity_at is not null as reached_opportunity,
    per_lead.entered_customer_at is not null as reached_customer
from per_lead
left join stages on per_lead.highest_stage_rank = stages.stage_rank
