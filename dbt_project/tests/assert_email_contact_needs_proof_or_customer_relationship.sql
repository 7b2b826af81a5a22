-- E-mail advertising only with documented consent or to existing customers (UWG §7(2)-(3)).
select contactability.*
from {{ ref('mart_contactability') }} as contactability
left join {{ ref('int_lead_channel_consents') }} as consents
    on contactability.lead_id = consents.lead_id and consents.channel = 'email'
left join {{ ref('int_lead_crm_stages') }} as crm_stages
    on contactability.lead_id = crm_stages.lead_id
where contactability.channel = 'email'
    and contactability.is_contactable
    and not (
        (consents.consent_status = 'granted' and consents.has_documented_proof)
        or crm_stages.crm_lifecycle_stage = 'customer'
    )
