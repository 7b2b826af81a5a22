-- An e-mail opt-out blocks e-mail and a do-not-call blocks phone, whatever consent says.
select contactability.*
from {{ ref('mart_contactability') }} as contactability
inner join {{ ref('stg_core__golden_leads') }} as leads on contactability.lead_id = leads.lead_id
where contactability.is_contactable
    and (
        (contactability.channel = 'email' and leads.is_do_not_email)
        or (contactability.channel = 'phone' and leads.is_do_not_call)
    )
