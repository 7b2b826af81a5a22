{{ config(materialized='table') }}

-- Implicit (engagement) points per lead and touchpoint type: each touchpoint earns the points of
-- its type, halved every `engagement_half_life_days` days before the scoring date. Touchpoints
-- after the scoring date do not count yet.

with

touchpoints as (

    select * from {{ ref('int_touchpoints_accumulated') }}

),

identity as (

    select * from {{ ref('stg_core__lead_identity') }}

),

weights as (

    select * from {{ ref('scoring_engagement_weights') }}

),

scored_touchpoints as (

    select
        identity.lead_id,
        touchpoints.touchpoint_type,
        touchpoints.occurred_at,
        weights.points as base_points,
        weights.is_hand_raiser,
        {{ dbt.datediff('touchpoints.occurred_on', as_of_date(), 'day') }} as age_days
    from touchpoints
    inner join identity on touchpoints.record_id = identity.record_id
    inner join weights on touchpoints.touchpoint_type = weights.touchpoint_type
    where touchpoints.occurred_on <= {{ as_of_date() }}

)

select
    lead_id,
    touchpoint_type,
    count(*) as touchpoint_count,
    max(occurred_at) as last_occurred_at,
    min(age_days) as days_since_last,
    max(base_points) as points_per_touchpoint,
    sum(base_points * power(0.5, age_days * 1.0 / {{ var('engagement_half_life_days') }})) as decayed_points,
    {{ dbt.bool_or('is_hand_raiser') }} as is_hand_raiser
from scored_touchpoints
group by lead_id, touchpoint_type
