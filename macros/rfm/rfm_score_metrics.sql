{#- The metrics scored 1-5, in the order of the scores (R, F, M). -#}
{% macro rfm_score_metrics() -%}
    {{ return(['recency_days', 'frequency', 'monetary']) }}
{%- endmacro %}
