{{ config(materialized='table') }}

-- A table: both mart_lead_scores and the lifecycle snapshot (through int_lead_lifecycle_states)
-- read it, and as a view every lead would be scored twice per build. It lives in this layer so
-- the snapshot and the funnel models that read the snapshot never depend on a mart.
-- One row per lead: fit, engagement and blended lead score, the learned conversion probability
-- next to it, rating, lifecycle and funnel stage, and a readable explanation of the points.
-- Every number comes from the scoring seeds and vars. Ratings and MQL go by thresholds or by
-- top share (scoring_settings); a lead with a learned probability is rated by it when
-- rating_uses_learned_probability is 1.

with

leads as (

    select * from {{ ref('stg_core__golden_leads') }}

),

fit_points as (

    select * from {{ ref('int_lead_fit_points') }}

),

engagement as (

    select * from {{ ref('int_lead_engagement_points') }}

),

explanations as (

    select * from {{ ref('int_lead_score_explanations') }}

),

crm_stages as (

    select * from {{ ref('int_lead_crm_stages') }}

),

conversion_scores as (

    select * from {{ ref('stg_core__lead_conversion_scores') }}

),

stages as (

    select * from {{ ref('lifecycle_stages') }}

),

fit_totals as (

    select lead_id, sum(points) as fit_points
    from fit_points
    group by lead_id

),

engagement_totals as (

    -- One pass over the engagement rows: the points, and how recently the lead raised a hand.
    select
        lead_id,
        sum(decayed_points) as engagement_points,
        min(case when is_hand_raiser then days_since_last end) as days_since_hand_raise
    from engagement
    group by lead_id

),

scored as (

    select
        leads.lead_id,
        -- Negative signals can take a score down to zero, not below.
        greatest(0, least(coalesce(fit_totals.fit_points, 0), {{ scoring_setting('fit_score_cap') }})) as fit_score,
        greatest(0, least(coalesce(engagement_totals.engagement_points, 0), {{ scoring_setting('engagement_score_cap') }})) as engagement_score,
        explanations.fit_explanation,
        explanations.engagement_explanation,
        engagement_totals.days_since_hand_raise
    from leads
    left join fit_totals on leads.lead_id = fit_totals.lead_id
    left join engagement_totals on leads.lead_id = engagement_totals.lead_id
    left join explanations on leads.lead_id = explanations.lead_id

),

blended as (

    select
        *,
        cast(round(greatest(0, least(100,
            {{ scoring_setting('fit_weight') }} * fit_score
            + {{ scoring_setting('engagement_weight') }} * engagement_score
        ))) as {{ dbt.type_int() }}) as lead_score,
        coalesce(
            days_since_hand_raise <= {{ scoring_setting('fast_track_window_days') }}
            and fit_score >= {{ scoring_setting('fast_track_min_fit_score') }},
            false
        ) as is_fast_tracked
    from scored

),

with_probability as (

    select
        blended.*,
        conversion_scores.conversion_probability,
        conversion_scores.conversion_top_features,
        conversion_scores.is_out_of_fold,
        coalesce(
            {{ scoring_setting('rating_uses_learned_probability') }} = 1
            and conversion_scores.conversion_probability is not null,
            false
        ) as is_rated_by_probability
    from blended
    left join conversion_scores on blended.lead_id = conversion_scores.lead_id

),

rating_basis as (

    select
        *,
        case when is_rated_by_probability then conversion_probability else lead_score end as rated_score
    from with_probability

),

ranked as (

    -- Where a lead stands among the leads rated the same way, as a share from the top. Tied
    -- leads share one value, the middle of their tie group, so they always get the same rating
    -- and a large group of equal scores falls where most of it lies (all equal: all cold).
    select
        *,
        cume_dist() over (partition by is_rated_by_probability order by rated_score desc)
            - count(*) over (partition by is_rated_by_probability, rated_score)
            / (2.0 * count(*) over (partition by is_rated_by_probability)) as top_share
    from rating_basis

),

rated as (

    select
        ranked.*,
        case
            when is_fast_tracked then 'hot'
            when {{ scoring_setting('rating_by_top_share') }} = 1 then
                case
                    when top_share <= {{ scoring_setting('rating_hot_top_share') }} then 'hot'
                    when top_share <= {{ scoring_setting('rating_warm_top_share') }} then 'warm'
                    else 'cold'
                end
            when is_rated_by_probability then
                case
                    when conversion_probability >= {{ scoring_setting('rating_hot_min_probability') }} then 'hot'
                    when conversion_probability >= {{ scoring_setting('rating_warm_min_probability') }} then 'warm'
                    else 'cold'
                end
            when lead_score >= {{ scoring_setting('rating_hot_min_score') }} then 'hot'
            when lead_score >= {{ scoring_setting('rating_warm_min_score') }} then 'warm'
            else 'cold'
        end as rating,
        case
            when is_fast_tracked then 'mql'
            when {{ scoring_setting('mql_by_top_share') }} = 1 then
                case when top_share <= {{ scoring_setting('mql_top_share') }} then 'mql' else 'lead' end
            when is_rated_by_probability then
                case when conversion_probability >= {{ scoring_setting('mql_min_probability') }} then 'mql' else 'lead' end
            when lead_score >= {{ scoring_setting('mql_min_score') }} then 'mql'
            else 'lead'
        end as computed_lifecycle_stage
    from ranked

),

staged as (

    select
        rated.*,
        crm_stages.crm_lifecycle_stage,
        -- The CRM stage wins, except its entry stage `lead`: every CRM record starts there, so
        -- it says nothing against a score that qualifies the lead (stages never move back).
        case
            when crm_stages.crm_lifecycle_stage is null then rated.computed_lifecycle_stage
            when crm_stages.crm_lifecycle_stage = 'lead' then rated.computed_lifecycle_stage
            else crm_stages.crm_lifecycle_stage
        end as lifecycle_stage,
        case
            when crm_stages.crm_lifecycle_stage is null then 'score'
            when crm_stages.crm_lifecycle_stage = 'lead' and rated.computed_lifecycle_stage <> 'lead' then 'score'
            else 'crm'
        end as lifecycle_stage_source
    from rated
    left join crm_stages on rated.lead_id = crm_stages.lead_id

)

select
    staged.lead_id,
    round(staged.fit_score, 2) as fit_score,
    round(staged.engagement_score, 2) as engagement_score,
    staged.lead_score,
    staged.conversion_probability,
    staged.is_out_of_fold as is_conversion_probability_out_of_fold,
    case when staged.is_rated_by_probability then 'conversion_probability' else 'lead_score' end as rated_by,
    staged.rating,
    staged.lifecycle_stage,
    stages.stage_rank as lifecycle_stage_rank,
    staged.lifecycle_stage_source,
    staged.computed_lifecycle_stage,
    staged.crm_lifecycle_stage,
    stages.funnel_stage,
    staged.is_fast_tracked,
    {{ dbt.concat([
        "'score '", dbt.cast('staged.lead_score', dbt.type_string()),
        "' = fit '", dbt.cast('round(staged.fit_score, 1)', dbt.type_string()),
        "' x '", dbt.cast(scoring_setting('fit_weight'), dbt.type_string()),
        "' + engagement '", dbt.cast('round(staged.engagement_score, 1)', dbt.type_string()),
        "' x '", dbt.cast(scoring_setting('engagement_weight'), dbt.type_string()),
        "case when staged.is_fast_tracked then '; fast track: hand-raiser with good fit' else '' end",
        "'; lifecycle from '", "staged.lifecycle_stage_source",
        "'; fit: '", "coalesce(staged.fit_explanation, 'none')",
        "'; engagement: '", "coalesce(staged.engagement_explanation, 'none')",
    ]) }} as score_explanation,
    staged.conversion_top_features,
    {{ as_of_date() }} as scored_on,
    {{ as_of_timestamp() }} as scored_at
from staged
left join stages on staged.lifecycle_stage = stages.lifecycle_stage
