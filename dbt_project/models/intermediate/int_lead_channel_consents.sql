{{ config(materialized='table') }}

-- Each lead's combined consent per channel (email, phone, postal) with the collection method of
-- the consent statement behind it and whether that method counts as documented proof.

with

leads as (

    select * from {{ ref('stg_core__golden_leads') }}

),

consent_statements as (

    select * from {{ ref('stg_core__consent_records') }}

),

proof_methods as (

    select * from {{ ref('consent_proof_methods') }}

),

lead_channels as (

    {%- for channel in ['email', 'phone', 'postal'] %}
    select
        lead_id,
        '{{ channel }}' as channel,
        coalesce({{ channel }}_consent, 'unknown') as consent_status,
        {{ channel }}_consent_proof as consent_proof,
        {{ channel }}_consent_record_id as consent_record_id
    from leads
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

granted_statements as (

    select
        record_id,
        channel,
        consent_method,
        proof_ref,
        row_number() over (
            partition by record_id, channel
            order by given_at desc, consent_id asc
        ) as recency
    from consent_statements
    where consent_status = 'granted'

)

select
    lead_channels.lead_id,
    lead_channels.channel,
    lead_channels.consent_status,
    lead_channels.consent_record_id,
    coalesce(lead_channels.consent_proof, granted_statements.proof_ref) as consent_proof,
    granted_statements.consent_method,
    -- Documented proof: a proof reference, from a method the rules accept as proof (a proof
    -- whose method is not recorded is accepted on the reference alone).
    coalesce(lead_channels.consent_proof, granted_statements.proof_ref) is not null
        and coalesce(proof_methods.counts_as_proof, granted_statements.consent_method is null) as has_documented_proof,
    coalesce(proof_methods.counts_as_proof, false) as is_accepted_method
from lead_channels
left join granted_statements
    on lead_channels.consent_record_id = granted_statements.record_id
    and lead_channels.channel = granted_statements.channel
    and granted_statements.recency = 1
left join proof_methods
    on granted_statements.channel = proof_methods.channel
    and granted_statements.consent_method = proof_methods.method
