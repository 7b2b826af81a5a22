with

source as (

    select * from {{ source('core', 'consent_records') }}

),

renamed as (

    select
        ---------- ids
        consent_id,
        record_id,

        ---------- text
        channel,
        purpose,
        status as consent_status,
        source_kind,
        source_system,
        method as consent_method,
        proof_ref,
        consent_text_version,

        ---------- timestamps
        cast(given_at as {{ dbt.type_timestamp() }}) as given_at,
        cast(withdrawn_at as {{ dbt.type_timestamp() }}) as withdrawn_at

    from source

)

select * from renamed
