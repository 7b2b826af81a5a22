with

source as (

    select * from {{ source('core', 'golden_leads') }}

),

renamed as (

    select
        ---------- ids
        lead_id,
        email__record_id as email_record_id,
        phone__record_id as phone_record_id,

        ---------- person
        salutation,
        first_name,
        last_name,
        email,
        phone,
        street,
        house_number,
        postcode,
        city,
        country_code,

        ---------- company
        company,
        job_title,
        lower(seniority) as seniority,
        department,
        lower(trim(industry)) as industry,
        cast(employee_count as {{ dbt.type_int() }}) as employee_count,

        ---------- marketing
        segment,
        channel,
        cast(record_count as {{ dbt.type_int() }}) as record_count,

        ---------- consent per channel
        email_consent,
        email_consent_proof,
        email_consent_source,
        email_consent_record_id,
        phone_consent,
        phone_consent_proof,
        phone_consent_source,
        phone_consent_record_id,
        postal_consent,
        postal_consent_proof,
        postal_consent_source,
        postal_consent_record_id,

        ---------- booleans
        budget_authority as has_budget_authority,
        coalesce(do_not_email, false) as is_do_not_email,
        coalesce(do_not_call, false) as is_do_not_call,

        ---------- timestamps
        cast(email_consent_at as {{ dbt.type_timestamp() }}) as email_consent_at,
        cast(phone_consent_at as {{ dbt.type_timestamp() }}) as phone_consent_at,
        cast(first_seen_at as {{ dbt.type_timestamp() }}) as first_seen_at,
        cast(last_seen_at as {{ dbt.type_timestamp() }}) as last_seen_at

    from source

)

select * from renamed
