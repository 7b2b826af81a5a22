-- Every golden lead has exactly one score row.
select golden.lead_id
from {{ source('core', 'golden_leads') }} as golden
left join {{ ref('mart_lead_scores') }} as scores on golden.lead_id = scores.lead_id
where scores.lead_id is null
