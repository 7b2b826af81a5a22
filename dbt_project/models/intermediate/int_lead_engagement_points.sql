{{ config(materialized='table') }}

-- Implicit (engagement) points per lead and touchpoint type: each touchpoint earns the points of
-- its type, halved every `engagement_half_life_days` days before the scoring date. Touchpoints
-- after the scoring date do not count yet. The activity columns of the lead's records add one
-- row per activity (points per unit, capped) and one for the last activity type (negative for
-- bounced or unsubscribed leads); they decay from the last activity date, or not at all when no
-- source dates it.

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

activity as (

    select
        *,
        case
            when last_activity_at is not null
                then greatest(0, {{ dbt.datediff('cast(last_activity_at as date)', as_of_date(), 'day') }})
        end as activity_age_days
    from {{ ref('int_lead_activity') }}

),

activity_points as (

    select * from {{ ref('scoring_activity_points') }}

),

last_activity_points as (

    select * from {{ ref('scoring_last_activity_points') }}

),

activity_units as (

    {%- set activities = ['web_visits', 'time_on_site_minutes', 'page_views', 'email_opens', 'email_clicks', 'form_submissions'] %}
    {%- for name in activities %}
    select lead_id, '{{ name }}' as activity, {{ name }} as units, last_activity_at, activity_age_days
    from activity
    where {{ name }} > 0
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

activity_rows as (

    select
        activity_units.lead_id,
        activity_units.activity as touchpoint_type,
        cast(round(activity_units.units) as {{ dbt.type_bigint() }}) as touchpoint_count,
        activity_units.last_activity_at as last_occurred_at,
        activity_units.activity_age_days as days_since_last,
        activity_points.points_per_unit as points_per_touchpoint,
        least(activity_units.units * activity_points.points_per_unit, activity_points.max_points)
            * power(0.5, coalesce(activity_units.activity_age_days, 0) * 1.0 / {{ var('engagement_half_life_days') }})
            as decayed_points,
        false as is_hand_raiser
    from activity_units
    inner join activity_points on activity_units.activity = activity_points.activity

),

last_activity_rows as (

    select
        activity.lead_id,
        {{ dbt.concat(["'last_activity:'", "activity.last_activity_type"]) }} as touchpoint_type,
        cast(1 as {{ dbt.type_bigint() }}) as touchpoint_count,
        activity.last_activity_at as last_occurred_at,
        activity.activity_age_days as days_since_last,
        last_activity_points.points as points_per_touchpoint,
        last_activity_points.points
            * power(0.5, coalesce(activity.activity_age_days, 0) * 1.0 / {{ var('engagement_half_life_days') }})
            as decayed_points,
        false as is_hand_raiser
    from activity
    inner join last_activity_points on lower(activity.last_activity_type) = last_activity_points.last_activity_type

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

),

touchpoint_rows as (

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

)

select * from touchpoint_rows
union all
select * from activity_rows
union all
select * from last_activity_rows
