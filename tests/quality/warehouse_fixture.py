"""Builds a small, clean, contract-shaped Leadwerk warehouse in DuckDB, entirely in SQL.

Every table the quality suites read is created with the columns ingest/tables.py declares
(plus the marts' columns), consistent across layers: files reconcile, each record maps to one
lead, golden fields trace to records, and only leads with proper consent are contactable.
Tests inject violations into it; the benchmark builds it with a million leads.

Shape: lead i has primary record i; every fifth lead also has a Salesforce record. Leads cycle
through purchased list (i % 3 == 0), web form (1) and CRM export (2); even leads are B2B.
"""

from __future__ import annotations

import re
from datetime import datetime

import duckdb

from ingest.tables import TABLES, create_table

# All generated timestamps lie in 2025 (a lead every 30 s, at most 1M leads); tests validate "as of" this moment.
AS_OF = datetime(2026, 1, 1)
ROWS_PER_FILE = 1000


def build_warehouse(conn: duckdb.DuckDBPyConnection, n_leads: int = 300) -> None:
    for schema in ("raw", "quarantine", "audit", "core", "marts"):
        conn.execute(f"create schema if not exists {schema}")
    conn.execute(_RECORDS_BASE, [n_leads])
    for statement in _STATEMENTS:
        _execute(conn, statement)
    conn.execute("drop table _base")


_CREATE_AS = re.compile(r"\s*create or replace table (\S+) as\s(.*)", re.DOTALL)


def _execute(conn: duckdb.DuckDBPyConnection, statement: str) -> None:
    """A declared table (ingest/tables.py) gets all its declared columns and types; the
    statement's query fills the columns it names, the others stay NULL."""
    match = _CREATE_AS.fullmatch(statement)
    if not match or match.group(1) not in TABLES:
        conn.execute(statement)
        return
    create_table(conn, match.group(1), replace=True)
    conn.execute(f"insert into {match.group(1)} by name {match.group(2)}")


# One row per source record with every generated value; everything else derives from it.
_RECORDS_BASE = """
create or replace temp table _base as
with leads as (
    select i, 'L' || lpad(i::varchar, 8, '0') as lead_id from range(?) t(i)
), records as (
    select i, lead_id, i as seq, true as is_primary,
           case i % 3 when 0 then 'purchased_list' when 1 then 'web_form' else 'crm_export' end as source_kind,
           case i % 3 when 0 then (case when i % 2 = 0 then 'adressdirekt' else 'leadsource_eu' end)
                      when 1 then 'web_forms' else 'hubspot' end as source_system
    from leads
    union all
    select i, lead_id, 10000000 + i as seq, false, 'crm_export', 'salesforce' from leads where i % 5 = 0
)
select *,
       source_system || ':' || seq::varchar as record_id,
       seq::varchar as source_record_id,
       row_number() over (partition by source_system order by seq) as nth_in_source,
       timestamp '2025-01-01' + to_seconds(i::bigint * 30) as created_at,
       'person' || i::varchar || '@firma' || (i % 50)::varchar || '.de' as email,
       '+4930' || lpad(i::varchar, 8, '0') as phone,
       case when i % 10 = 9 then 'AT' else 'DE' end as country_code,
       case when i % 10 = 9 then lpad((1000 + i % 8999)::varchar, 4, '0')
            else lpad((10000 + i % 89999)::varchar, 5, '0') end as postcode,
       'Nachname' || i::varchar as last_name,
       'Firma ' || (i % 997)::varchar || ' GmbH' as company,
       case when i % 2 = 0 then 'b2b' else 'b2c' end as segment,
       case when is_primary and source_kind = 'web_form' then 'granted'
            when is_primary and source_kind = 'purchased_list' and i % 2 = 0 then 'granted'
            else 'unknown' end as email_consent,
       case when is_primary and source_kind = 'web_form' and i % 4 = 1 then 'granted'
            else 'unknown' end as phone_consent,
       source_kind = 'crm_export' and i % 7 = 2 as do_not_email,
       source_kind = 'crm_export' and i % 11 = 2 as do_not_call
from records
"""

_STATEMENTS = [
    # Files: ROWS_PER_FILE records per file and source system.
    f"""create or replace temp table _files as
        select *, source_kind || 's/' || source_system || '/batch_'
                   || ((nth_in_source - 1) // {ROWS_PER_FILE})::varchar || '.csv' as source_file,
               ((nth_in_source - 1) % {ROWS_PER_FILE}) + 1 as source_row
        from _base""",
    """update _files set source_file = replace(source_file, 'web_forms/web_forms/', 'web_forms/')""",
    """create or replace temp table _base as
        select *, sha256(source_file) as file_sha256, 'batch-1' as batch_id,
               timestamp '2025-12-01' as ingested_at
        from _files""",
    "drop table _files",
    # Raw layer: one table per source kind, lineage columns plus the source text.
    """create or replace table raw.purchased_list_records as
        select source_kind, source_system, source_file, file_sha256, source_row, ingested_at, batch_id,
               source_system || '_v1' as contract, '{}' as extra_fields, null::varchar as source_record_id,
               last_name, email, phone, postcode, company, email_consent as consent_email
        from _base where source_kind = 'purchased_list'""",
    """create or replace table raw.web_form_submissions as
        select source_kind, source_system, source_file, file_sha256, source_row, ingested_at, batch_id,
               'web_form_v1' as contract, '{}' as extra_fields, source_record_id,
               last_name, email, phone, postcode, company, 'true' as consent_email
        from _base where source_kind = 'web_form'""",
    """create or replace table raw.crm_records as
        select source_kind, source_system, source_file, file_sha256, source_row, ingested_at, batch_id,
               source_system || '_v1' as contract, '{}' as extra_fields, source_record_id,
               source_record_id as crm_id, last_name, email, phone, postcode, company,
               do_not_email::varchar as opt_out_email, do_not_call::varchar as do_not_call
        from _base where source_kind = 'crm_export'""",
    # Quarantine: every fourth file lost two rows at ingest; normalization dropped one more row
    # elsewhere; one delivered file was empty.
    """create or replace table quarantine.rows as
        with files as (
            select *, dense_rank() over (order by source_file) as file_no from (
                select source_kind, source_system, source_file, file_sha256, max(source_row) as last_row
                from _base group by all
            )
        )
        select source_kind, source_system, source_file, file_sha256, last_row + k as source_row,
               'x;y' as raw_text, 'wrong_field_count' as reason, 'expected 20 fields' as reason_detail,
               'ingest' as stage, 'batch-1' as batch_id, timestamp '2025-12-01' as quarantined_at
        from files, range(1, 3) t(k) where file_no % 4 = 0
        union all
        select source_kind, source_system, source_file, file_sha256, 1, '{}', 'no_contact_data', null,
               'normalize', 'batch-1', timestamp '2025-12-01'
        from files where file_no = 1
        union all
        select 'purchased_list', 'adressdirekt', 'purchased_lists/adressdirekt/empty.csv', sha256('empty'),
               0, '', 'empty_file', null, 'ingest', 'batch-1', timestamp '2025-12-01'""",
    """create or replace table audit.file_registry as
        with loaded as (
            select source_file, file_sha256, source_kind, source_system, count(*) as rows_loaded
            from _base group by all
        ), quarantined as (
            select source_file, file_sha256, count(*) as rows_quarantined
            from quarantine.rows where stage = 'ingest' and source_row > 0 group by all
        )
        select l.source_file, l.file_sha256, l.source_kind, l.source_system, l.source_system || '_v1' as contract,
               'utf-8' as encoding, ',' as delimiter, 1000::bigint as file_bytes,
               l.rows_loaded + coalesce(q.rows_quarantined, 0) as rows_read, l.rows_loaded,
               coalesce(q.rows_quarantined, 0)::bigint as rows_quarantined, 0::bigint as rows_suppressed,
               '[]' as unmapped_columns, 'loaded' as status, 'batch-1' as batch_id,
               timestamp '2025-12-01' as ingested_at
        from loaded l left join quarantined q using (source_file, file_sha256)
        union all
        select 'purchased_lists/adressdirekt/empty.csv', sha256('empty'), 'purchased_list', 'adressdirekt',
               null, null, null, 0, 0, 0, 0, 0, '[]', 'empty', 'batch-1', timestamp '2025-12-01'""",
    # How well each file's date fields parsed (written by normalization).
    """create or replace table audit.field_parse_rates as
        select source_file, file_sha256, 'created_at' as field, 'date' as kind,
               rows_loaded::bigint as non_empty, rows_loaded::bigint as parsed
        from audit.file_registry where rows_loaded > 0""",
    # Core: canonical records.
    """create or replace table core.lead_records as
        select record_id, source_kind, source_system, source_file, source_row, file_sha256, ingested_at,
               batch_id, source_record_id,
               case when source_kind = 'crm_export' then source_record_id end as crm_id,
               case when i % 2 = 0 then 'herr' else 'frau' end as salutation, null::varchar as academic_title,
               'Vorname' || i::varchar as first_name, last_name, 'Vorname' || i::varchar as first_name_raw,
               last_name as last_name_raw, email, email as email_raw, email as email_match_key,
               'firma' || (i % 50)::varchar || '.de' as email_domain, phone, phone as phone_raw,
               'fixed' as phone_type, 'Hauptstraße' as street, (i % 200 + 1)::varchar as house_number,
               postcode, 'Berlin' as city, country_code, date '1980-01-01' + (i % 9000)::integer as birth_date,
               company, lower(company) as company_key, 'gmbh' as legal_form, 'Einkauf' as job_title,
               'manager' as seniority, 'purchasing' as department, false as budget_authority,
               'Maschinenbau' as industry, (10 + i % 500)::integer as employee_count, segment,
               case when source_kind = 'purchased_list' then 'outbound' else 'inbound' end as channel,
               case when source_kind = 'web_form' then 'newsletter' when source_kind = 'purchased_list'
                    then 'list_purchase' else 'crm' end as lead_source_detail,
               case when source_kind = 'web_form' then 'newsletter' end as form_type,
               case when source_kind = 'purchased_list' then 0.45 end as list_price, created_at,
               case when source_kind = 'crm_export' then 'open' end as crm_status,
               case when source_kind = 'crm_export' then 'lead' end as lifecycle_stage,
               null::timestamp as converted_at, null::varchar as rating,
               email_consent,
               case when email_consent = 'granted' then created_at end as email_consent_at,
               case when email_consent = 'granted' then source_kind end as email_consent_source,
               case when email_consent = 'granted' and source_kind = 'web_form' then 'doi-' || seq::varchar
                    when email_consent = 'granted' then 'vendor-proof-' || seq::varchar end as email_consent_proof,
               phone_consent,
               case when phone_consent = 'granted' then created_at end as phone_consent_at,
               case when phone_consent = 'granted' then source_kind end as phone_consent_source,
               case when phone_consent = 'granted' then 'form-' || seq::varchar end as phone_consent_proof,
               'unknown' as postal_consent, null::timestamp as postal_consent_at,
               null::varchar as postal_consent_source, null::varchar as postal_consent_proof,
               do_not_email, do_not_call,
               true as email_valid, false as email_is_freemail, false as email_is_role, true as phone_valid,
               true as postcode_valid, null::varchar as date_issues
        from _base""",
    """create or replace table core.consent_records as
        select record_id || ':email:advertising' as consent_id, record_id, 'email' as channel,
               'advertising' as purpose, 'granted' as status, email_consent_at as given_at,
               null::timestamp as withdrawn_at, source_kind, source_system,
               case source_kind when 'web_form' then 'double_opt_in' else 'vendor_proof' end as method,
               email_consent_proof as proof_ref, 'v1' as consent_text_version
        from core.lead_records where email_consent = 'granted'
        union all
        select record_id || ':phone:advertising', record_id, 'phone', 'advertising', 'granted',
               phone_consent_at, null, source_kind, source_system, 'checkbox', phone_consent_proof, 'v1'
        from core.lead_records where phone_consent = 'granted'""",
    # Touchpoints: the record's arrival, and for inbound leads follow-ups a day later (a CRM
    # activity, an e-mail and a call).
    """create or replace table core.touchpoints as
        select record_id || ':arrival' as touchpoint_id, record_id,
               case source_kind when 'web_form' then 'newsletter' when 'purchased_list' then 'list_purchase'
                    else 'crm_created' end as touchpoint_type,
               created_at as occurred_at, source_kind, source_system,
               case when source_kind = 'purchased_list' then 0.45 else 0.0 end as cost_eur, null::varchar as detail
        from _base
        union all
        select record_id || ':' || followup, record_id, followup, created_at + interval 1 day, source_kind,
               source_system, 0.0, null
        from _base, (values ('crm_activity'), ('email_sent'), ('phone_call')) as f(followup)
        where is_primary and source_kind <> 'purchased_list'""",
    """create or replace table core.lead_identity as
        select record_id, lead_id, case when is_primary then 'seed' else 'email_exact' end as match_rule,
               1.0 as match_score, timestamp '2025-12-01' as assigned_at
        from _base""",
    # Golden leads: survived fields come from the primary record; opt-outs anywhere win.
    """create or replace table core.golden_leads as
        with opt_outs as (
            select lead_id, bool_or(do_not_email) as do_not_email, bool_or(do_not_call) as do_not_call,
                   count(*) as record_count, min(created_at) as first_seen_at, max(created_at) as last_seen_at,
                   string_agg(distinct source_kind, ',') as source_kinds,
                   string_agg(distinct source_system, ',') as source_systems
            from _base group by lead_id
        )
        select b.lead_id, r.salutation, r.first_name, r.first_name_raw, r.record_id as first_name__record_id,
               r.last_name, r.record_id as last_name__record_id, r.email, r.record_id as email__record_id,
               r.phone, r.record_id as phone__record_id, r.postcode, r.record_id as postcode__record_id,
               r.country_code, r.record_id as country_code__record_id, r.company,
               r.record_id as company__record_id, r.segment, r.record_id as segment__record_id, r.channel,
               r.lifecycle_stage, r.created_at, r.record_id as salutation__record_id,
               r.record_id as first_name_raw__record_id, r.record_id as channel__record_id,
               r.record_id as lifecycle_stage__record_id, r.record_id as created_at__record_id,
               o.record_count, o.source_kinds, o.source_systems,
               o.first_seen_at, o.last_seen_at,
               r.email_consent, r.email_consent_at, r.email_consent_source, r.email_consent_proof,
               case when r.email_consent = 'granted' then r.record_id end as email_consent_record_id,
               r.phone_consent, r.phone_consent_at, r.phone_consent_source, r.phone_consent_proof,
               case when r.phone_consent = 'granted' then r.record_id end as phone_consent_record_id,
               r.postal_consent, r.postal_consent_at, r.postal_consent_source, r.postal_consent_proof,
               null::varchar as postal_consent_record_id, o.do_not_email, o.do_not_call
        from _base b join core.lead_records r using (record_id) join opt_outs o on o.lead_id = b.lead_id
        where b.is_primary""",
    # Marts (shapes as the dbt project publishes them).
    """create or replace table marts.mart_lead_scores as
        select lead_id, fit, eng, (fit + eng) / 2 as lead_score,
               case when (fit + eng) / 2 >= 70 then 'hot' when (fit + eng) / 2 >= 40 then 'warm' else 'cold' end
                   as rating,
               stage as lifecycle_stage,
               case when stage in ('lead', 'mql') then 'tofu' when stage = 'sql' then 'mofu' else 'bofu' end
                   as funnel_stage,
               'fit ' || fit::varchar || ', engagement ' || eng::varchar as score_explanation
        from (
            select lead_id, (hash(lead_id) % 101)::integer as fit, (hash(lead_id || 'e') % 101)::integer as eng,
                   ['lead', 'lead', 'lead', 'mql', 'mql', 'sql', 'opportunity', 'customer'][
                       (hash(lead_id || 's') % 8)::integer + 1] as stage
            from core.golden_leads
        )""",
    "alter table marts.mart_lead_scores rename column fit to fit_score",
    "alter table marts.mart_lead_scores rename column eng to engagement_score",
    """create or replace table marts.mart_funnel as
        select date_trunc('month', g.created_at)::date as first_touch_month, r.source_kind, r.source_system, r.channel,
               g.segment,
               count(*) as leads,
               count(*) filter (where s.lifecycle_stage <> 'lead') as mqls,
               count(*) filter (where s.lifecycle_stage in ('sql', 'opportunity', 'customer')) as sqls,
               count(*) filter (where s.lifecycle_stage in ('opportunity', 'customer')) as opportunities,
               count(*) filter (where s.lifecycle_stage = 'customer') as customers
        from core.golden_leads g join marts.mart_lead_scores s using (lead_id)
        join core.lead_records r on r.record_id = g.email__record_id
        group by all""",
    """create or replace table marts.mart_contactability as
        select lead_id, 'email' as channel,
               email_consent = 'granted' and email_consent_proof is not null and not do_not_email as is_contactable,
               case when email_consent = 'granted' and email_consent_proof is not null then 'consent_with_proof'
                    else 'none' end as legal_basis,
               case when do_not_email then 'opted out' when email_consent = 'granted' then 'consent on file'
                    else 'no consent' end as reason
        from core.golden_leads
        union all
        select lead_id, 'phone',
               not do_not_call and (phone_consent = 'granted' or segment = 'b2b'),
               case when phone_consent = 'granted' then 'consent_with_proof'
                    when segment = 'b2b' then 'presumed_b2b_phone_consent' else 'none' end,
               case when do_not_call then 'opted out' else 'phone rule' end
        from core.golden_leads
        union all
        select lead_id, 'postal', true, 'legitimate_interest', 'postal advertising allowed'
        from core.golden_leads""",
]
