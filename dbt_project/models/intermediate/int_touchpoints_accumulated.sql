{{
    config(
        materialized='incremental',
        unique_key='touchpoint_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook=[
            "{% if is_incremental() %}delete from {{ this }} where touchpoint_id not in (select touchpoint_id from {{ ref('stg_core__touchpoints') }}){% endif %}"
        ]
    )
}}

-- Every touchpoint ever seen, kept incrementally: a nightly run only inserts touchpoints that
-- are not here yet, and a post-hook removes touchpoints that left the core table (erasure
-- requests), so the table always equals a full refresh. Lead ids and scoring weights are joined
-- downstream, so merges and seed edits never leave stale rows here.

with

touchpoints as (

    -- The alias is used by the incremental filter below, which the linter does not render.
    select * from {{ ref('stg_core__touchpoints') }} as touchpoints_in_core  -- noqa: AL05

    {% if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as already_accumulated
        where already_accumulated.touchpoint_id = touchpoints_in_core.touchpoint_id
    )
    {% endif %}

)

select
    touchpoint_id,
    record_id,
    touchpoint_type,
    source_kind,
    source_system,
    cost_eur,
    occurred_at,
    cast(occurred_at as date) as occurred_on
from touchpoints
