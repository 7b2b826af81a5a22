with

source as (

    select * from {{ source('core', 'lead_identity') }}

),

renamed as (

    select
        ---------- ids
        record_id,
        lead_id,

        ---------- text
        match_rule,

        ---------- numerics
        cast(match_score as {{ type_double() }}) as match_score,

        ---------- timestamps
        cast(assigned_at as {{ dbt.type_timestamp() }}) as assigned_at

    from source

)

select * from renamed
