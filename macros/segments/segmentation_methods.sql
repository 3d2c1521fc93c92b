{#- Every segmentation of a customer, in the order reports list them: the
    rule-based RFM segment, then the clustering methods. -#}
{% macro segmentation_methods() %}
    {{ return(['rule_based'] + clustering_methods()) }}
{% endmacro %}
