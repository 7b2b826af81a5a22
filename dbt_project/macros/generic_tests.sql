{#- A value lies in [min_value, max_value] (NULLs pass; pair with not_null). -#}
{% test value_between(model, column_name, min_value, max_value) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}

{#- A combination of columns identifies one row. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as row_count
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Timestamps of successive stages never go backwards (NULL = stage not reached). -#}
{% test stages_monotonic(model, stage_columns) %}
select *
from {{ model }}
where
{%- for i in range(stage_columns | length - 1) %}
    {{ 'or' if not loop.first }} ({{ stage_columns[i + 1] }} is not null
        and ({{ stage_columns[i] }} is null or {{ stage_columns[i + 1] }} < {{ stage_columns[i] }}))
{%- endfor %}
{% endtest %}
