{#- Scalar look-ups of the rule seeds, so SQL never carries business literals. -#}

{% macro scoring_setting(key) -%}
    (select setting_value from {{ ref('scoring_settings') }} where setting_key = '{{ key }}')
{%- endmacro %}

{% macro fit_rule_points(key) -%}
    (select points from {{ ref('scoring_fit_rules') }} where rule_key = '{{ key }}')
{%- endmacro %}

{% macro contactability_rule(key) -%}
    (select rule_value from {{ ref('contactability_rules') }} where rule_key = '{{ key }}')
{%- endmacro %}

{#- The scoring date: var `as_of` (YYYY-MM-DD) when set, else today. -#}
{% macro as_of_date() -%}
    {%- if var('as_of', '') -%}
        cast('{{ var("as_of") }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}

{#- Share a / b, NULL when b is zero. -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_double() }}) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- The scoring moment: midnight of `as_of` when pinned, else now (snapshot validity times). -#}
{% macro as_of_timestamp() -%}
    {%- if var('as_of', '') -%}
        cast('{{ var("as_of") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}

{% macro stage_rank(lifecycle_stage) -%}
    (select stage_rank from {{ ref('lifecycle_stages') }} where lifecycle_stage = '{{ lifecycle_stage }}')
{%- endmacro %}

{#- Double precision floats: dbt.type_float() is single precision on DuckDB. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'leadwerk')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}
