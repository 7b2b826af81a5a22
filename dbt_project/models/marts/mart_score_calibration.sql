-- Does the score predict anything? For leads whose outcome the CRM knows (converted or not):
-- conversion rate per score decile and per rating, and the score's ROC AUC (the chance that a
-- converted lead scores higher than one that did not convert; 0.5 = no better than chance).

with

scores as (

    select * from {{ ref('mart_lead_scores') }}

),

crm_stages as (

    select * from {{ ref('int_lead_crm_stages') }}

),

known_outcomes as (

    select
        scores.lead_id,
        scores.lead_score,
        scores.rating,
        crm_stages.is_crm_converted as is_converted,
        ntile(10) over (order by scores.lead_score, scores.lead_id) as score_decile
    from scores
    inner join crm_stages on scores.lead_id = crm_stages.lead_id

),

ranked as (

    -- Mann-Whitney ranks: tied scores share the average of their ranks.
    select
        is_converted,
        rank() over (order by lead_score)
            + (count(*) over (partition by lead_score) - 1) / 2.0 as score_rank
    from known_outcomes

),

auc as (

    select
        {{ safe_divide(
            "sum(case when is_converted then score_rank else 0 end)"
            ~ " - sum(case when is_converted then 1 else 0 end)"
            ~ " * (sum(case when is_converted then 1 else 0 end) + 1) / 2.0",
            "sum(case when is_converted then 1 else 0 end) * sum(case when is_converted then 0 else 1 end)",
        ) }} as roc_auc
    from ranked

),

by_decile as (

    select
        'score_decile' as calibration_group,
        {{ dbt.cast('score_decile', dbt.type_string()) }} as bucket,
        score_decile as bucket_order,
        count(*) as leads,
        sum(case when is_converted then 1 else 0 end) as converted_leads,
        min(lead_score) as min_score,
        max(lead_score) as max_score,
        avg(lead_score) as avg_score
    from known_outcomes
    group by score_decile

),

by_rating as (

    select
        'rating' as calibration_group,
        rating as bucket,
        case rating when 'cold' then 1 when 'warm' then 2 else 3 end as bucket_order,
        count(*) as leads,
        sum(case when is_converted then 1 else 0 end) as converted_leads,
        min(lead_score) as min_score,
        max(lead_score) as max_score,
        avg(lead_score) as avg_score
    from known_outcomes
    group by rating

),

overall as (

    select
        'overall' as calibration_group,
        'all' as bucket,
        1 as bucket_order,
        count(*) as leads,
        sum(case when is_converted then 1 else 0 end) as converted_leads,
        min(lead_score) as min_score,
        max(lead_score) as max_score,
        avg(lead_score) as avg_score
    from known_outcomes

),

buckets as (

    select * from overall
    union all
    select * from by_decile
    union all
    select * from by_rating

)

select
    buckets.calibration_group,
    buckets.bucket,
    buckets.bucket_order,
    buckets.leads,
    buckets.converted_leads,
    {{ safe_divide('buckets.converted_leads', 'buckets.leads') }} as conversion_rate,
    buckets.min_score,
    buckets.max_score,
    buckets.avg_score,
    auc.roc_auc
from buckets
cross join auc
