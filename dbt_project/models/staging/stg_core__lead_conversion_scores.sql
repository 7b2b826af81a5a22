with

source as (

    select * from {{ source('core', 'lead_conversion_scores') }}

),

renamed as (

    select
        ---------- ids
        lead_id,

        ---------- model output
        cast(conversion_probability as {{ type_double() }}) as conversion_probability,
        coalesce(is_out_of_fold, false) as is_out_of_fold,
        cv_fold,
        top_features as conversion_top_features,
        model_status,

        ---------- timestamps
        cast(trained_at as {{ dbt.type_timestamp() }}) as trained_at

    from source

)

select * from renamed
