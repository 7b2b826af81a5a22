{{ config(materialized='table') }}

-- A readable list of the points behind each lead's score: fit rules in a fixed order, then the
-- engagement by touchpoint type, strongest first.

{%- set fit_rules = ['seniority', 'industry_in_target_list', 'company_size_band', 'budget_authority',
                     'country_in_market', 'country_outside_market', 'business_email', 'freemail_email',
                     'occupation', 'lead_source', 'lead_origin', 'data_completeness'] %}

with

fit_points as (

    select * from {{ ref('int_lead_fit_points') }}

),

engagement_points as (

    select * from {{ ref('int_lead_engagement_points') }}
    where decayed_points <> 0

),

fit_labels as (

    -- One label per lead and rule, e.g. "seniority (c_level) +25.0".
    select
        lead_id,
        {{ dbt.concat([
            "rule_key",
            "coalesce(" ~ dbt.concat(["' ('", "rule_detail", "')'"]) ~ ", '')",
            "case when points >= 0 then ' +' else ' ' end",
            dbt.cast('round(points, 1)', dbt.type_string()),
        ]) }} as label,
        case rule_key
            {%- for rule in fit_rules %}
            when '{{ rule }}' then {{ loop.index }}
            {%- endfor %}
            else {{ fit_rules | length + 1 }}
        end as rule_order
    from fit_points

),

fit_explanations as (

    {#- the rules in their fixed order (a lead has each at most once); rules not in the list last -#}
    select
        lead_id,
        {{ ordered_text_agg(text='label', delimiter="', '", order_by=[{'expression': 'rule_order'}]) }} as fit_explanation
    from fit_labels
    group by lead_id

),

engagement_explanations as (

    select
        lead_id,
        {{ ordered_text_agg(
            text=dbt.concat([
                "touchpoint_type",
                "' x'", dbt.cast('touchpoint_count', dbt.type_string()),
                "coalesce(" ~ dbt.concat(["', last '", dbt.cast('days_since_last', dbt.type_string()), "'d ago'"]) ~ ", '')",
                "case when decayed_points >= 0 then ' +' else ' ' end",
                dbt.cast('round(decayed_points, 1)', dbt.type_string()),
            ]),
            delimiter="', '",
            order_by=[{'expression': 'decayed_points', 'descending': true}, {'expression': 'touchpoint_type'}],
        ) }} as engagement_explanation
    from engagement_points
    group by lead_id

)

select
    coalesce(fit_explanations.lead_id, engagement_explanations.lead_id) as lead_id,
    fit_explanations.fit_explanation,
    engagement_explanations.engagement_explanation
from fit_explanations
full outer join engagement_explanations
    on fit_explanations.lead_id = engagement_explanations.lead_id
