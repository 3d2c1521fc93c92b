{#-
    RFM, the 1-5 scores, the R-F-M cell and the rule-based segment of every customer at every
    date of `as_of_dates` (a relation or CTE with one column as_of_date, one row per date;
    none = the day after the last valid purchase): the columns of int_customers_rfm_scored,
    one row per customer and as-of date, from lines dated before that date only, scored
    against the cut points of that date's customers only. The single-date models chain the
    same three macros, so they agree with any other date by construction.
-#}
{% macro customers_rfm_scored_at(as_of_dates) -%}
with

rfm_customers_at as (

    {{ customers_rfm_at(as_of_dates) | indent(4) }}

),

rfm_thresholds_at as (

    {{ rfm_score_thresholds_at('rfm_customers_at') | indent(4) }}

),

rfm_scored_customers_at as (

    {{ rfm_scored_at('rfm_customers_at', 'rfm_thresholds_at') | indent(4) }}

)

select * from rfm_scored_customers_at
{%- endmacro %}
