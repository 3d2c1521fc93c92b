{#- The column holding a segmentation method's segment in
    fct_customer_segment_history (as in dim_customers and
    dim_customer_segments): rfm_segment for the rule-based one. -#}
{% macro segment_column(method) %}
    {{ return('rfm_segment' if method == 'rule_based' else method ~ '_segment') }}
{% endmacro %}
