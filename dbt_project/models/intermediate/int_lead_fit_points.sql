{{ config(materialized='table') }}

-- Explicit (fit) points per lead and rule, one row per rule that applies, in long format so the
-- score explanation can list them. Points and lists come from the scoring seeds; negative points
-- are fit signals against a lead (freemail for B2B, outside the market, a student).

with

leads as (

    select * from {{ ref('stg_core__golden_leads') }}

),

email_records as (

    select record_id, is_email_valid, is_email_freemail
    from {{ ref('stg_core__lead_records') }}

),

target_industries as (

    select lower(trim(industry)) as industry from {{ ref('scoring_target_industries') }}

),

markets as (

    select upper(country_code) as country_code from {{ ref('scoring_markets') }}

),

activity as (

    select lead_id, occupation, lead_source, lead_origin from {{ ref('int_lead_activity') }}

),

attribute_points as (

    select lower(trim(attribute)) as attribute, lower(trim(attribute_value)) as attribute_value, points
    from {{ ref('scoring_attribute_points') }}

),

size_bands as (

    select * from {{ ref('scoring_company_size_bands') }}

),

seniority_points as (

    select * from {{ ref('scoring_seniority_points') }}

),

industry_rule as (

    select
        leads.lead_id,
        'industry_in_target_list' as rule_key,
        leads.industry as rule_detail,
        {{ fit_rule_points('industry_in_target_list') }} as points
    from leads
    inner join target_industries on leads.industry = target_industries.industry

),

company_size_rule as (

    select
        leads.lead_id,
        'company_size_band' as rule_key,
        size_bands.size_band as rule_detail,
        size_bands.points
    from leads
    inner join size_bands
        on leads.employee_count >= size_bands.min_employees
        and (size_bands.max_employees is null or leads.employee_count <= size_bands.max_employees)

),

seniority_rule as (

    select
        leads.lead_id,
        'seniority' as rule_key,
        leads.seniority as rule_detail,
        seniority_points.points
    from leads
    inner join seniority_points on leads.seniority = seniority_points.seniority

),

budget_authority_rule as (

    select
        lead_id,
        'budget_authority' as rule_key,
        cast(null as {{ dbt.type_string() }}) as rule_detail,
        {{ fit_rule_points('budget_authority') }} as points
    from leads
    where has_budget_authority

),

market_rule as (

    select
        leads.lead_id,
        'country_in_market' as rule_key,
        leads.country_code as rule_detail,
        {{ fit_rule_points('country_in_market') }} as points
    from leads
    inner join markets on upper(leads.country_code) = markets.country_code

),

outside_market_rule as (

    -- Only when the market list names any country and the lead's country is known.
    select
        leads.lead_id,
        'country_outside_market' as rule_key,
        leads.country_code as rule_detail,
        {{ fit_rule_points('country_outside_market') }} as points
    from leads
    -- The exists() below reads the same CTE in a subquery of its own (no market list, no rule).
    left join markets on upper(leads.country_code) = markets.country_code  -- noqa: AL04
    where leads.country_code is not null
        and markets.country_code is null
        and exists (select 1 from markets)

),

email_rule as (

    -- A freemail address speaks against a B2B lead only; private customers use one anyway.
    select
        leads.lead_id,
        case when email_records.is_email_freemail then 'freemail_email' else 'business_email' end as rule_key,
        cast(null as {{ dbt.type_string() }}) as rule_detail,
        case
            when email_records.is_email_freemail then {{ fit_rule_points('freemail_email') }}
            else {{ fit_rule_points('business_email') }}
        end as points
    from leads
    inner join email_records on leads.email_record_id = email_records.record_id
    where email_records.is_email_valid
        and (not email_records.is_email_freemail or coalesce(lower(leads.segment), 'b2b') = 'b2b')

),

attribute_rule as (

    {%- for attribute in ['occupation', 'lead_source', 'lead_origin'] %}
    select
        activity.lead_id,
        '{{ attribute }}' as rule_key,
        activity.{{ attribute }} as rule_detail,
        attribute_points.points
    from activity
    inner join attribute_points
        on attribute_points.attribute = '{{ attribute }}'
        and lower(trim(activity.{{ attribute }})) = attribute_points.attribute_value
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

completeness_rule as (

    {%- set fields = var('completeness_fields') %}
    select
        lead_id,
        'data_completeness' as rule_key,
        {{ dbt.concat([
            dbt.cast('filled_fields', dbt.type_string()),
            "'/" ~ (fields | length) ~ " fields'",
        ]) }} as rule_detail,
        {{ fit_rule_points('data_completeness') }} * filled_fields / {{ fields | length }}.0 as points
    from (
        select
            lead_id,
            (
            {%- for field in fields %}
                case when {{ field }} is not null then 1 else 0 end{{ ' +' if not loop.last }}
            {%- endfor %}
            ) as filled_fields
        from leads
    ) as filled
    where filled_fields > 0

),

unioned as (

    select * from industry_rule
    union all
    select * from company_size_rule
    union all
    select * from seniority_rule
    union all
    select * from budget_authority_rule
    union all
    select * from market_rule
    union all
    select * from outside_market_rule
    union all
    select * from attribute_rule
    union all
    select * from email_rule
    union all
    select * from completeness_rule

)

select * from unioned
where points <> 0
