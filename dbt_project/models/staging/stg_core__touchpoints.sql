with

source as (

    select * from {{ source('core', 'touchpoints') }}

),

renamed as (

    select
        ---------- ids
        touchpoint_id,
        record_id,

        ---------- text
        touchpoint_type,
        source_kind,
        source_system,
        detail,

        ---------- numerics
        cast(cost_eur as {{ type_double() }}) as cost_eur,

        ---------- timestamps
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at

    from source

)

select * from renamed
