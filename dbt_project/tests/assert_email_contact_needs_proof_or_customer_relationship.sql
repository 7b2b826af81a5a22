-- E-mail advertising only with documented consent (UWG §7(2) Nr. 2), or to existing customers
-- (§7(3)) while contactability_rules allows it. What counts as documented proof is
-- consent_proof_methods, applied in int_lead_channel_consents.has_documented_proof.
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
        or (
            crm_stages.crm_lifecycle_stage = 'customer'
            and {{ contactability_rule('allow_existing_customer_email') }} = 'true'
        )
    )
