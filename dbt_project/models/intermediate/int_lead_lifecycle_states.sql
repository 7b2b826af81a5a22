-- The part of each lead's score that the lifecycle snapshot keeps history of.

select
    lead_id,
    lifecycle_stage,
    rating,
    lead_score,
    scored_at
from {{ ref('int_lead_scores') }}
