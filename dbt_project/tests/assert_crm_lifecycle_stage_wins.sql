-- The CRM stage wins: a lead's lifecycle stage equals its CRM stage whenever the CRM has one.
select scores.lead_id, scores.lifecycle_stage, crm_stages.crm_lifecycle_stage
from {{ ref('mart_lead_scores') }} as scores
inner join {{ ref('int_lead_crm_stages') }} as crm_stages on scores.lead_id = crm_stages.lead_id
where crm_stages.crm_lifecycle_stage is not null
    and scores.lifecycle_stage <> crm_stages.crm_lifecycle_stage
