with

source as (

    select * from {{ source('core', 'lead_records') }}

),

renamed as (

    select
        ---------- ids and lineage
        record_id,
        crm_id,
        source_kind,
        source_system,
        source_file,

        ---------- contact data
        email,
        email_raw,
        phone,
        phone_raw,
        phone_type,

        ---------- marketing
        segment,
        channel,
        form_type,
        lead_source_detail,
        crm_status,
        lower(lifecycle_stage) as lifecycle_stage,
        rating,
        lead_source,
        lead_origin,
        occupation,
        last_activity_type,
        source_grade,
        lower(outcome) as outcome,

        ---------- consent
        email_consent,
        email_consent_proof,
        phone_consent,
        postal_consent,

        ---------- numerics
        cast(list_price as {{ type_double() }}) as list_price,
        cast(annual_revenue as {{ type_double() }}) as annual_revenue,
        cast(web_visits as {{ type_double() }}) as web_visits,
        cast(time_on_site_seconds as {{ type_double() }}) as time_on_site_seconds,
        cast(page_views as {{ type_double() }}) as page_views,
        cast(email_opens as {{ type_double() }}) as email_opens,
        cast(email_clicks as {{ type_double() }}) as email_clicks,
        cast(form_submissions as {{ type_double() }}) as form_submissions,
        cast(source_score as {{ type_double() }}) as source_score,

        ---------- booleans
        coalesce(email_valid, false) as is_email_valid,
        coalesce(email_is_freemail, false) as is_email_freemail,
        coalesce(email_is_role, false) as is_email_role,
        coalesce(phone_valid, false) as is_phone_valid,
        coalesce(do_not_email, false) as is_do_not_email,
        coalesce(do_not_call, false) as is_do_not_call,

        ---------- timestamps
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(ingested_at as {{ dbt.type_timestamp() }}) as ingested_at,
        cast(converted_at as {{ dbt.type_timestamp() }}) as converted_at,
        cast(last_activity_at as {{ dbt.type_timestamp() }}) as last_activity_at,
        cast(outcome_at as {{ dbt.type_timestamp() }}) as outcome_at

    from source

)

select * from renamed
