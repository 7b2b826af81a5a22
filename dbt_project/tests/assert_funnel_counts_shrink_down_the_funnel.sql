-- A lead counts in every stage it passed, so each stage holds at most the previous one's leads.
select *
from {{ ref('mart_funnel') }}
where mqls > leads or sqls > mqls or opportunities > sqls or customers > opportunities
