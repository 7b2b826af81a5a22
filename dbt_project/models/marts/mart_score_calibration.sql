-- Does each score predict conversion? Measured on decided leads only (converted or won against
-- lost or disqualified; open leads are no negatives), for the rule lead_score, the learned
-- conversion_probability and the incumbent CRM's source_score side by side, over all leads and
-- per source system that decided the outcome: conversion rate per score decile (tied scores in
-- one bucket), per rating and overall, with ROC AUC, lift of the top decile and Brier score.

{%- set scores = [
    {'name': 'lead_score', 'expression': 'scores.lead_score', 'as_probability': 'scores.lead_score / 100.0'},
    {'name': 'conversion_probability', 'expression': 'scores.conversion_probability', 'as_probability': 'scores.conversion_probability'},
    {'name': 'source_score', 'expression': 'activity.source_score', 'as_probability': 'activity.source_score / nullif(max(activity.source_score) over (), 0)'},
] %}

with

scores as (

    select * from {{ ref('mart_lead_scores') }}

),

activity as (

    select * from {{ ref('int_lead_activity') }}

),

decided as (

    select
        scores.lead_id,
        scores.rating,
        activity.outcome_source_system,
        activity.decided_outcome = 'converted' as is_converted
        {%- for score in scores %},
        {{ score.expression }} as {{ score.name }},
        {{ score.as_probability }} as {{ score.name }}__probability
        {%- endfor %}
    from scores
    inner join activity on scores.lead_id = activity.lead_id
    where activity.decided_outcome is not null

),

long_scores as (

    {%- for score in scores %}
    select
        lead_id, rating, is_converted, outcome_source_system,
        '{{ score.name }}' as score_name,
        cast({{ score.name }} as {{ type_double() }}) as score,
        cast({{ score.name }}__probability as {{ type_double() }}) as score_probability
    from decided
    where {{ score.name }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

scoped as (

    -- Every lead counts once overall and once for the source system that decided its outcome.
    select *, 'all' as source_system from long_scores
    union all
    select *, coalesce(outcome_source_system, 'unknown') as source_system from long_scores

),

ranked as (

    select
        *,
        -- Tied scores share one decile: the decile of the highest rank among the ties.
        cast(ceil(10 * cume_dist() over (partition by score_name, source_system order by score)) as {{ dbt.type_int() }}) as score_decile,
        -- Mann-Whitney ranks: tied scores share the average of their ranks.
        rank() over (partition by score_name, source_system order by score)
            + (count(*) over (partition by score_name, source_system, score) - 1) / 2.0 as score_rank,
        cume_dist() over (partition by score_name, source_system order by score desc) as top_share
    from scoped

),

metrics as (

    select
        score_name,
        source_system,
        count(*) as scored_leads,
        {{ safe_divide(
            "sum(case when is_converted then score_rank else 0 end)"
            ~ " - sum(case when is_converted then 1 else 0 end)"
            ~ " * (sum(case when is_converted then 1 else 0 end) + 1) / 2.0",
            "sum(case when is_converted then 1 else 0 end) * sum(case when is_converted then 0 else 1 end)",
        ) }} as roc_auc,
        {{ safe_divide(
            safe_divide("sum(case when top_share <= 0.1 and is_converted then 1 else 0 end)", "sum(case when top_share <= 0.1 then 1 else 0 end)"),
            safe_divide("sum(case when is_converted then 1 else 0 end)", "count(*)"),
        ) }} as top_decile_lift,
        avg(power(score_probability - case when is_converted then 1 else 0 end, 2)) as brier_score
    from ranked
    group by score_name, source_system

),

by_decile as (

    select
        score_name, source_system,
        'score_decile' as calibration_group,
        {{ dbt.cast('score_decile', dbt.type_string()) }} as bucket,
        score_decile as bucket_order,
        count(*) as leads,
        sum(case when is_converted then 1 else 0 end) as converted_leads,
        min(score) as min_score,
        max(score) as max_score,
        avg(score) as avg_score
    from ranked
    group by score_name, source_system, score_decile

),

by_rating as (

    select
        score_name, source_system,
        'rating' as calibration_group,
        rating as bucket,
        case rating when 'cold' then 1 when 'warm' then 2 else 3 end as bucket_order,
        count(*) as leads,
        sum(case when is_converted then 1 else 0 end) as converted_leads,
        min(score) as min_score,
        max(score) as max_score,
        avg(score) as avg_score
    from ranked
    group by score_name, source_system, rating

),

overall as (

    select
        score_name, source_system,
        'overall' as calibration_group,
        'all' as bucket,
        1 as bucket_order,
        count(*) as leads,
        sum(case when is_converted then 1 else 0 end) as converted_leads,
        min(score) as min_score,
        max(score) as max_score,
        avg(score) as avg_score
    from ranked
    group by score_name, source_system

),

buckets as (

    select * from overall
    union all
    select * from by_decile
    union all
    select * from by_rating

)

select
    buckets.score_name,
    buckets.source_system,
    buckets.calibration_group,
    buckets.bucket,
    buckets.bucket_order,
    buckets.leads,
    buckets.converted_leads,
    {{ safe_divide('buckets.converted_leads', 'buckets.leads') }} as conversion_rate,
    buckets.min_score,
    buckets.max_score,
    -- Rounded: averages of floats summed in parallel differ in their last bits between two runs
    -- of the same data, and a rerun must give the same mart.
    round(buckets.avg_score, 9) as avg_score,
    round(metrics.roc_auc, 9) as roc_auc,
    round(metrics.top_decile_lift, 9) as top_decile_lift,
    round(metrics.brier_score, 9) as brier_score
from buckets
inner join metrics
    on buckets.score_name = metrics.score_name
    and buckets.source_system = metrics.source_system
