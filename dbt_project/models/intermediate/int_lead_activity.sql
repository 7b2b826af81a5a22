{{ config(materialized='table') }}

-- One row per lead: its behaviour from the activity columns of its records, what it says about
-- itself, where it came from, the incumbent CRM's own score, and its decided outcome. Several
-- exports of one person repeat the same counters, so a lead's counter is the largest of its
-- records'; its last activity is the one of its most recent record; its origin and source are
-- those of its first record.

with

records as (

    select * from {{ ref('stg_core__lead_records') }}

),

identity as (

    select * from {{ ref('stg_core__lead_identity') }}

),

outcome_classes as (

    select * from {{ ref('outcome_classes') }}

),

identified as (

    select
        identity.lead_id,
        records.*,
        coalesce(records.created_at, records.ingested_at) as arrived_at,
        coalesce(records.last_activity_at, records.ingested_at) as activity_seen_at,
        outcome_classes.is_decided as is_outcome_decided,
        outcome_classes.is_converted as is_outcome_converted,
        coalesce(records.outcome_at, records.ingested_at) as outcome_seen_at
    from records
    inner join identity on records.record_id = identity.record_id
    left join outcome_classes on records.outcome = outcome_classes.outcome

)

select
    lead_id,
    max(web_visits) as web_visits,
    max(time_on_site_seconds) / 60.0 as time_on_site_minutes,
    max(page_views) as page_views,
    max(email_opens) as email_opens,
    max(email_clicks) as email_clicks,
    max(form_submissions) as form_submissions,
    arg_max(last_activity_type, activity_seen_at) filter (where last_activity_type is not null) as last_activity_type,
    max(last_activity_at) as last_activity_at,
    arg_max(occupation, ingested_at) filter (where occupation is not null) as occupation,
    arg_min(lead_source, arrived_at) filter (where lead_source is not null) as lead_source,
    arg_min(lead_origin, arrived_at) filter (where lead_origin is not null) as lead_origin,
    arg_max(source_score, ingested_at) filter (where source_score is not null) as source_score,
    -- Converted on any record wins; lost only when no record says converted.
    case
        when {{ dbt.bool_or('coalesce(is_outcome_decided and is_outcome_converted, false)') }} then 'converted'
        when {{ dbt.bool_or('coalesce(is_outcome_decided, false)') }} then 'lost'
    end as decided_outcome,
    arg_max(source_system, outcome_seen_at) filter (where is_outcome_decided) as outcome_source_system,
    arg_min(source_system, arrived_at) as first_source_system
from identified
group by lead_id
