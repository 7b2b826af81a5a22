-- The lead funnel by month of first touch, first source and segment: how many leads reached
-- each stage, stage-to-stage conversion and the median days between stages.

with

stage_entries as (

    select * from {{ ref('int_lead_stage_entries') }}

),

first_records as (

    select lead_id, source_kind, source_system, channel
    from {{ ref('int_lead_records_sequenced') }}
    where record_sequence_in_lead = 1

),

leads as (

    select lead_id, segment from {{ ref('stg_core__golden_leads') }}

),

lead_funnel as (

    select
        stage_entries.lead_id,
        cast({{ dbt.date_trunc('month', 'stage_entries.first_touch_at') }} as date) as first_touch_month,
        coalesce(first_records.source_kind, 'unknown') as source_kind,
        coalesce(first_records.source_system, 'unknown') as source_system,
        coalesce(first_records.channel, 'unknown') as channel,
        coalesce(leads.segment, 'unknown') as segment,
        stage_entries.reached_mql,
        stage_entries.reached_sql,
        stage_entries.reached_opportunity,
        stage_entries.reached_customer,
        {{ dbt.datediff('stage_entries.first_touch_at', 'stage_entries.entered_mql_at', 'day') }} as days_lead_to_mql,
        {{ dbt.datediff('stage_entries.entered_mql_at', 'stage_entries.entered_sql_at', 'day') }} as days_mql_to_sql,
        {{ dbt.datediff('stage_entries.entered_sql_at', 'stage_entries.entered_opportunity_at', 'day') }} as days_sql_to_opportunity,
        {{ dbt.datediff('stage_entries.entered_opportunity_at', 'stage_entries.entered_customer_at', 'day') }} as days_opportunity_to_customer,
        {{ dbt.datediff('stage_entries.first_touch_at', 'stage_entries.entered_customer_at', 'day') }} as days_lead_to_customer
    from stage_entries
    left join first_records on stage_entries.lead_id = first_records.lead_id
    left join leads on stage_entries.lead_id = leads.lead_id

),

aggregated as (

    select
        first_touch_month,
        source_kind,
        source_system,
        channel,
        segment,
        count(*) as leads,
        sum(case when reached_mql then 1 else 0 end) as mqls,
        sum(case when reached_sql then 1 else 0 end) as sqls,
        sum(case when reached_opportunity then 1 else 0 end) as opportunities,
        sum(case when reached_customer then 1 else 0 end) as customers,
        {%- for span in ['lead_to_mql', 'mql_to_sql', 'sql_to_opportunity', 'opportunity_to_customer', 'lead_to_customer'] %}
        percentile_cont(0.5) within group (order by days_{{ span }}) as median_days_{{ span }}{{ ',' if not loop.last }}
        {%- endfor %}
    from lead_funnel
    group by first_touch_month, source_kind, source_system, channel, segment

)

select
    first_touch_month,
    source_kind,
    source_system,
    channel,
    segment,
    leads,
    mqls,
    sqls,
    opportunities,
    customers,
    {{ safe_divide('mqls', 'leads') }} as lead_to_mql_rate,
    {{ safe_divide('sqls', 'mqls') }} as mql_to_sql_rate,
    {{ safe_divide('opportunities', 'sqls') }} as sql_to_opportunity_rate,
    {{ safe_divide('customers', 'opportunities') }} as opportunity_to_customer_rate,
    {{ safe_divide('customers', 'leads') }} as lead_to_customer_rate,
    median_days_lead_to_mql,
    median_days_mql_to_sql,
    median_days_sql_to_opportunity,
    median_days_opportunity_to_customer,
    median_days_lead_to_customer
from aggregated
