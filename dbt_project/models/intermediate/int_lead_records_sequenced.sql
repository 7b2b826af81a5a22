{{ config(materialized='table') }}

-- Each source record with its lead and its position among that lead's records: a record is a
-- repeat of a known lead when the lead already had an earlier record from any source. Only the
-- columns the funnel, source and CRM models need are kept (whether raw contact data was
-- delivered, not the raw text itself).

with

records as (

    select * from {{ ref('stg_core__lead_records') }}

),

identity as (

    select * from {{ ref('stg_core__lead_identity') }}

),

identified as (

    select
        records.record_id,
        identity.lead_id,
        records.source_kind,
        records.source_system,
        coalesce(records.form_type, records.source_system) as source_detail,
        records.channel,
        records.lifecycle_stage,
        records.email_raw is not null as has_email_raw,
        records.phone_raw is not null as has_phone_raw,
        records.email_consent,
        records.email_consent_proof,
        records.phone_consent,
        records.list_price,
        records.is_email_valid,
        records.is_phone_valid,
        coalesce(records.created_at, records.ingested_at) as arrived_at,
        records.ingested_at,
        records.converted_at
    from records
    inner join identity on records.record_id = identity.record_id

),

sequence_keys as (

    -- Numbered on the sort keys alone: the window then sorts narrow rows, not whole records.
    select
        record_id,
        row_number() over (
            partition by lead_id
            order by arrived_at, ingested_at, record_id
        ) as record_sequence_in_lead
    from identified

)

select
    identified.*,
    sequence_keys.record_sequence_in_lead,
    sequence_keys.record_sequence_in_lead > 1 as is_repeat_of_known_lead
from identified
inner join sequence_keys on identified.record_id = sequence_keys.record_id
