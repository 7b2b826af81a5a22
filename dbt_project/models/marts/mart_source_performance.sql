-- What each vendor list, web form and CRM delivers: volume, unique people, the share of records
-- that were already known leads, data quality, consent coverage, how far its people got in the
-- funnel, and for purchased lists what records, new leads and MQLs cost.

with

records as (

    select * from {{ ref('int_lead_records_sequenced') }}

),

stage_entries as (

    select * from {{ ref('int_lead_stage_entries') }}

),

prices as (

    select * from {{ ref('vendor_prices') }}

),

records_with_outcome as (

    select
        records.*,
        coalesce(stage_entries.reached_mql, false) as reached_mql,
        coalesce(stage_entries.reached_sql, false) as reached_sql,
        coalesce(stage_entries.reached_customer, false) as reached_customer
    from records
    left join stage_entries on records.lead_id = stage_entries.lead_id

),

per_source as (

    select
        source_kind,
        source_system,
        source_detail,
        count(*) as records_delivered,
        count(distinct lead_id) as unique_people,
        sum(case when is_repeat_of_known_lead then 1 else 0 end) as records_of_known_leads,
        sum(case when is_repeat_of_known_lead then 0 else 1 end) as new_leads,
        sum(case when has_email_raw and not is_email_valid then 1 else 0 end) as invalid_emails,
        sum(case when has_email_raw then 0 else 1 end) as missing_emails,
        sum(case when has_phone_raw and not is_phone_valid then 1 else 0 end) as invalid_phones,
        sum(case when email_consent = 'granted' then 1 else 0 end) as email_consents,
        sum(case when email_consent = 'granted' and email_consent_proof is not null then 1 else 0 end) as email_consents_with_proof,
        sum(case when phone_consent = 'granted' then 1 else 0 end) as phone_consents,
        count(distinct case when reached_mql then lead_id end) as mql_people,
        count(distinct case when reached_sql then lead_id end) as sql_people,
        count(distinct case when reached_customer then lead_id end) as customer_people,
        -- Money is summed exactly: a float sum would depend on row order.
        sum(cast(list_price as {{ dbt.type_numeric() }})) as invoiced_list_price_eur,
        min(arrived_at) as first_record_at,
        max(arrived_at) as last_record_at
    from records_with_outcome
    group by source_kind, source_system, source_detail

),

priced as (

    select
        per_source.*,
        case when per_source.source_kind = 'purchased_list' then prices.price_per_record_eur end as price_per_record_eur
    from per_source
    left join prices on per_source.source_system = prices.source_system

)

select
    source_kind,
    source_system,
    source_detail,
    records_delivered,
    unique_people,
    records_of_known_leads,
    new_leads,
    {{ safe_divide('records_of_known_leads', 'records_delivered') }} as duplicate_rate,
    {{ safe_divide('invalid_emails', 'records_delivered') }} as invalid_email_rate,
    {{ safe_divide('missing_emails', 'records_delivered') }} as missing_email_rate,
    {{ safe_divide('invalid_phones', 'records_delivered') }} as invalid_phone_rate,
    {{ safe_divide('email_consents', 'records_delivered') }} as email_consent_coverage,
    {{ safe_divide('email_consents_with_proof', 'records_delivered') }} as email_consent_with_proof_coverage,
    {{ safe_divide('phone_consents', 'records_delivered') }} as phone_consent_coverage,
    mql_people,
    sql_people,
    customer_people,
    {{ safe_divide('mql_people', 'unique_people') }} as mql_rate,
    {{ safe_divide('sql_people', 'unique_people') }} as sql_rate,
    {{ safe_divide('customer_people', 'unique_people') }} as customer_rate,
    price_per_record_eur,
    price_per_record_eur * records_delivered as total_cost_eur,
    invoiced_list_price_eur,
    price_per_record_eur as cost_per_record_eur,
    {{ safe_divide('price_per_record_eur * records_delivered', 'unique_people') }} as cost_per_unique_lead_eur,
    {{ safe_divide('price_per_record_eur * records_delivered', 'new_leads') }} as cost_per_new_lead_eur,
    {{ safe_divide('price_per_record_eur * records_delivered', 'mql_people') }} as cost_per_mql_eur,
    first_record_at,
    last_record_at
from priced
