-- The CRM stage wins whenever the CRM has one beyond its entry stage `lead`; a CRM `lead`
-- never demotes a lead the score qualifies.
select scores.lead_id, scores.lifecycle_stage, crm_stages.crm_lifecycle_stage
from {{ ref('mart_lead_scores') }} as scores
inner join {{ ref('int_lead_crm_stages') }} as crm_stages on scores.lead_id = crm_stages.lead_id
where crm_stages.crm_lifecycle_stage is not null
    and scores.lifecycle_stage <> case
        when crm_stages.crm_lifecycle_stage = 'lead' then scores.computed_lifecycle_stage
        else crm_stages.crm_lifecycle_stage
    end
