-- The part of each lead's score that the lifecycle snapshot keeps history of.

select
    lead_id,
    lifecycle_stage,
    rating,
    lead_score,
    scored_at
from {{ ref('mart_lead_scores') }}
