{{ config(materialized='table') }}

-- What the CRM says about each lead: the most advanced lifecycle stage on any of its CRM
-- records (it wins over the computed stage) and whether the outcome is known.

with

records as (

    select * from {{ ref('int_lead_records_sequenced') }}

),

stages as (

    select * from {{ ref('lifecycle_stages') }}

),

crm_records as (

    select
        records.lead_id,
        records.converted_at,
        stages.lifecycle_stage,
        stages.stage_rank
    from records
    left join stages on records.lifecycle_stage = stages.lifecycle_stage
    where records.source_kind = 'crm_export'

),

per_lead as (

    select
        lead_id,
        max(stage_rank) as crm_stage_rank,
        min(converted_at) as crm_converted_at
    from crm_records
    group by lead_id

)

select
    per_lead.lead_id,
    stages.lifecycle_stage as crm_lifecycle_stage,
    per_lead.crm_stage_rank,
    per_lead.crm_converted_at,
    coalesce(stages.counts_as_converted, false) or per_lead.crm_converted_at is not null as is_crm_converted
from per_lead
left join stages on per_lead.crm_stage_rank = stages.stage_rank
