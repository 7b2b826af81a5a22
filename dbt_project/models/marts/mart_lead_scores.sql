-- The lead scores as BI tools and the sales team read them; the scoring itself is
-- int_lead_scores (upstream of the lifecycle history too), so this mart only publishes it.

select * from {{ ref('int_lead_scores') }}
