{#
    Custom schemas are used verbatim: staging, intermediate, marts, rules, snapshots.
    BI tools read only `marts`, so the names must not depend on the target.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
