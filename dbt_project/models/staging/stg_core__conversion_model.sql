with

source as (

    select * from {{ source('core', 'conversion_model') }}

),

renamed as (

    select
        feature,
        feature_label,
        feature_kind,
        level,
        level_order,
        cast(lower_bound as {{ type_double() }}) as lower_bound,
        cast(upper_bound as {{ type_double() }}) as upper_bound,
        cast(coefficient as {{ type_double() }}) as coefficient,
        leads,
        decided_leads,
        converted_leads,
        description,
        cast(trained_at as {{ dbt.type_timestamp() }}) as trained_at

    from source

)

select * from renamed
