-- DSGVO Art. 14: every lead whose data we bought, where it came from, and whether the person
-- was told in time (within art14_due_months of the purchase, or at the first contact if that
-- is earlier). Rules come from ingest/privacy/policy.yaml via privacy.policy_settings; notices
-- are recorded by marketing ops in privacy.art14_notices (`leadwerk notice`).
-- depends_on: {{ source('privacy', 'art14_notices') }}
-- depends_on: {{ source('privacy', 'policy_settings') }}

{%- set notices_relation = adapter.get_relation(database=target.database, schema='privacy', identifier='art14_notices') %}
{%- set settings_relation = adapter.get_relation(database=target.database, schema='privacy', identifier='policy_settings') %}

with

records as (

    select record_id, source_kind, source_system, ingested_at
    from {{ ref('stg_core__lead_records') }}

),

identity as (

    select record_id, lead_id
    from {{ ref('stg_core__lead_identity') }}

),

touchpoints as (

    select record_id, touchpoint_type, occurred_at
    from {{ ref('stg_core__touchpoints') }}

),

notices as (

{%- if notices_relation is not none %}
    select lead_id, cast(notified_at as {{ dbt.type_timestamp() }}) as notified_at, channel
    from {{ notices_relation }}
{%- else %}
    {#- privacy tables not prepared yet (e.g. a dbt-only test warehouse): nobody was notified #}
    select
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as {{ dbt.type_timestamp() }}) as notified_at,
        cast(null as {{ dbt.type_string() }}) as channel
    where 1 = 0
{%- endif %}

),

settings as (

{%- if settings_relation is not none %}
    select
        coalesce(max(case when setting_key = 'art14_due_months' then cast(setting_value as {{ dbt.type_int() }}) end), 1)
            as due_months,
        coalesce(max(case when setting_key = 'art14_contact_touchpoint_types' then setting_value end), 'crm_activity')
            as contact_types
    from {{ settings_relation }}
{%- else %}
    select 1 as due_months, 'crm_activity' as contact_types
{%- endif %}

),

purchased_records as (

    select identity.lead_id, records.record_id, records.source_system, records.ingested_at
    from records
    inner join identity on records.record_id = identity.record_id
    where records.source_kind = 'purchased_list'

),

purchased_systems as (

    select distinct lead_id, source_system from purchased_records

),

purchases as (

    select
        lead_id,
        count(*) as purchased_records,
        min(ingested_at) as first_purchased_at
    from purchased_records
    group by lead_id

),

systems as (

    select
        lead_id,
        {{ ordered_text_agg('source_system', "', '", [{'expression': 'source_system'}]) }} as purchased_source_systems
    from purchased_systems
    group by lead_id

),

first_contacts as (

    select
        identity.lead_id,
        min(touchpoints.occurred_at) as first_contact_at
    from touchpoints
    inner join identity on touchpoints.record_id = identity.record_id
    inner join purchases on identity.lead_id = purchases.lead_id
    cross join settings
    where touchpoints.occurred_at >= purchases.first_purchased_at
      and position(',' || touchpoints.touchpoint_type || ',' in ',' || settings.contact_types || ',') > 0
    group by identity.lead_id

),

first_notices as (

    select
        lead_id,
        min(notified_at) as notified_at,
        count(*) as notices
    from notices
    group by lead_id

),

deadlines as (

    select
        purchases.lead_id,
        systems.purchased_source_systems,
        purchases.purchased_records,
        purchases.first_purchased_at,
        first_contacts.first_contact_at,
        {{ dbt.dateadd('month', 'settings.due_months', 'purchases.first_purchased_at') }} as month_deadline_at,
        first_notices.notified_at,
        coalesce(first_notices.notices, 0) as notices
    from purchases
    inner join systems on purchases.lead_id = systems.lead_id
    left join first_contacts on purchases.lead_id = first_contacts.lead_id
    left join first_notices on purchases.lead_id = first_notices.lead_id
    cross join settings

),

final as (

    select
        lead_id,
        purchased_source_systems,
        purchased_records,
        first_purchased_at,
        first_contact_at,
        case
            when first_contact_at is not null and first_contact_at < month_deadline_at then first_contact_at
            else month_deadline_at
        end as notice_due_at,
        notified_at,
        notices,
        notified_at is not null as is_notified
    from deadlines

)

select
    final.*,
    not final.is_notified and final.notice_due_at < {{ as_of_timestamp() }} as is_overdue,
    final.is_notified and final.notified_at > final.notice_due_at as is_notified_late
from final
