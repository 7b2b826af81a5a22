-- May we advertise to this lead on this channel, on what legal basis, and if not, why not
-- (UWG §7, DSGVO Art. 6/21). Opt-outs and Art. 21 objections always block; rules are switched
-- in contactability_rules. Leads from purchased lists also show whether their Art. 14 notice
-- is overdue (marts.mart_privacy_notices).

with

leads as (

    select * from {{ ref('stg_core__golden_leads') }}

),

consents as (

    select * from {{ ref('int_lead_channel_consents') }}

),

contact_records as (

    select record_id, is_email_valid, is_phone_valid, phone_type
    from {{ ref('stg_core__lead_records') }}

),

crm_stages as (

    select * from {{ ref('int_lead_crm_stages') }}

),

objections as (

    select lead_id from {{ ref('stg_privacy__objections') }}

),

notices as (

    select lead_id, is_overdue from {{ ref('mart_privacy_notices') }}

),

lead_facts as (

    select
        leads.lead_id,
        leads.segment,
        leads.is_do_not_email,
        leads.is_do_not_call,
        leads.email is not null and coalesce(email_records.is_email_valid, false) as has_valid_email,
        leads.phone is not null and coalesce(phone_records.is_phone_valid, false) as has_valid_phone,
        phone_records.phone_type,
        leads.street is not null and leads.postcode is not null and leads.city is not null as has_postal_address,
        coalesce(crm_stages.crm_lifecycle_stage = 'customer', false) as is_existing_customer
    from leads
    left join contact_records as email_records on leads.email_record_id = email_records.record_id
    left join contact_records as phone_records on leads.phone_record_id = phone_records.record_id
    left join crm_stages on leads.lead_id = crm_stages.lead_id

),

rules as (

    select
        {{ contactability_rule('allow_presumed_b2b_phone_consent') }} = 'true' as allow_presumed_b2b_phone_consent,
        {{ contactability_rule('presumed_b2b_phone_types') }} as presumed_b2b_phone_types,
        {{ contactability_rule('allow_existing_customer_email') }} = 'true' as allow_existing_customer_email,
        {{ contactability_rule('allow_postal_unless_objected') }} = 'true' as allow_postal_unless_objected

),

channel_facts as (

    select
        lead_facts.*,
        consents.channel,
        consents.consent_status,
        consents.consent_method,
        consents.consent_proof,
        consents.has_documented_proof,
        consents.is_accepted_method,
        rules.allow_presumed_b2b_phone_consent,
        {{ dbt.position(
            dbt.concat(["','", "lead_facts.phone_type", "','"]),
            dbt.concat(["','", "replace(rules.presumed_b2b_phone_types, ' ', '')", "','"]),
        ) }} > 0 as is_business_phone_type,
        rules.allow_existing_customer_email,
        rules.allow_postal_unless_objected
    from lead_facts
    inner join consents on lead_facts.lead_id = consents.lead_id
    cross join rules

),

channel_decisions as (

    -- One pass over the lead x channel rows; each channel has its own rules.
    select
        lead_id,
        channel,
        consent_status,
        consent_method,
        consent_proof,
        case channel
            when 'email' then
                case
                    when not has_valid_email then null
                    when is_do_not_email then null
                    when consent_status in ('denied', 'withdrawn') then null
                    when consent_status = 'granted' and has_documented_proof then 'consent_with_proof'
                    when is_existing_customer and allow_existing_customer_email then 'existing_customer'
                end
            when 'phone' then
                case
                    when not has_valid_phone then null
                    when is_do_not_call then null
                    when consent_status in ('denied', 'withdrawn') then null
                    when consent_status = 'granted' and (is_accepted_method or has_documented_proof) then 'consent_with_proof'
                    when segment = 'b2b' and allow_presumed_b2b_phone_consent and is_business_phone_type
                        then 'presumed_b2b_phone_consent'
                end
            when 'postal' then
                case
                    when not has_postal_address then null
                    when consent_status in ('denied', 'withdrawn') then null
                    when consent_status = 'granted' and (is_accepted_method or has_documented_proof) then 'consent_with_proof'
                    when allow_postal_unless_objected then 'legitimate_interest'
                end
        end as legal_basis,
        case channel
            when 'email' then
                case
                    when not has_valid_email then 'no_valid_email'
                    when is_do_not_email then 'opted_out'
                    when consent_status in ('denied', 'withdrawn') then 'consent_denied'
                    when consent_status = 'granted' then 'consent_without_proof'
                    else 'no_consent'
                end
            when 'phone' then
                case
                    when not has_valid_phone then 'no_valid_phone'
                    when is_do_not_call then 'opted_out'
                    when consent_status in ('denied', 'withdrawn') then 'consent_denied'
                    when consent_status = 'granted' then 'consent_without_proof'
                    when segment = 'b2b' and allow_presumed_b2b_phone_consent then 'not_a_business_phone'
                    else 'no_express_consent'
                end
            when 'postal' then
                case
                    when not has_postal_address then 'no_postal_address'
                    when consent_status in ('denied', 'withdrawn') then 'objected'
                    else 'no_consent'
                end
        end as reason_if_blocked
    from channel_facts
    where channel in ('email', 'phone', 'postal')

),

decided as (

    -- An objection to advertising (Art. 21) overrides every legal basis, on every channel.
    select
        channel_decisions.lead_id,
        channel_decisions.channel,
        case when objections.lead_id is null then channel_decisions.legal_basis end as legal_basis,
        case when objections.lead_id is not null then 'objected' else channel_decisions.reason_if_blocked end
            as reason_if_blocked,
        channel_decisions.consent_status,
        channel_decisions.consent_method,
        channel_decisions.consent_proof
    from channel_decisions
    left join objections on channel_decisions.lead_id = objections.lead_id

)

select
    decided.lead_id,
    decided.channel,
    decided.legal_basis is not null as is_contactable,
    coalesce(decided.legal_basis, 'none') as legal_basis,
    case when decided.legal_basis is null then decided.reason_if_blocked end as reason,
    decided.consent_status,
    decided.consent_method,
    decided.consent_proof,
    coalesce(notices.is_overdue, false) as is_art14_notice_overdue
from decided
left join notices on decided.lead_id = notices.lead_id
