{#-
    For the raw source: fails (one row) when the share of lines on which a staged column's
    raw value is missing or blank exceeds max_share. The raw column is found through the var
    `raw_columns`, so the test reads either published schema. Use severity and max_share to
    tell known dirt (warn) from a broken export (error).
-#}
{% test raw_null_share_at_most(model, column, max_share) %}

{%- set raw_name = raw_column_names(model)[column] %}

with

shares as (

    select
        count(*) as line_count,
        sum(
            case when {{ clean_text(raw_name) }} is null then 1 else 0 end
        ) as missing_count

    from {{ model }}

)

select
    '{{ column }}' as column_name,
    missing_count,
    line_count

from shares
where missing_count > {{ max_share }} * line_count

{% endtest %}
