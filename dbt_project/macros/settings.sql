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

{#- Texts of a group joined in the order of `order_by`: a list of {'expression': ...,
    'descending': true|false (default false)}; descending keys must be numeric. The default is
    dbt.listagg; on DuckDB, whose ordered aggregates sort every group on its own, sorting one
    list per group is several times faster. -#}
{% macro ordered_text_agg(text, delimiter, order_by) -%}
    {{ return(adapter.dispatch('ordered_text_agg', 'leadwerk')(text, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__ordered_text_agg(text, delimiter, order_by) -%}
    {%- set clauses = [] -%}
    {%- for key in order_by -%}
        {%- do clauses.append(key.expression ~ (' desc' if key.descending else '')) -%}
    {%- endfor -%}
    {{ dbt.listagg(measure=text, delimiter_text=delimiter, order_by_clause='order by ' ~ clauses | join(', ')) }}
{%- endmacro %}

{% macro duckdb__ordered_text_agg(text, delimiter, order_by) -%}
    {#- list_sort orders the structs field by field; descending keys are negated. -#}
    {%- set fields = [] -%}
    {%- for key in order_by -%}
        {%- do fields.append('k' ~ loop.index ~ ' := ' ~ ('-(' ~ key.expression ~ ')' if key.descending else key.expression)) -%}
    {%- endfor -%}
    array_to_string(
        list_transform(list_sort(list(struct_pack({{ fields | join(', ') }}, text := {{ text }}))), entry -> entry.text),
        {{ delimiter }}
    )
{%- endmacro %}
