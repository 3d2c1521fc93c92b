{#- Every pair of clustering methods, in list order, as Python's
    itertools.combinations(METHODS, 2) gives them to method_agreement. -#}
{% macro clustering_method_pairs() %}
    {%- set methods = clustering_methods() %}
    {%- set pairs = [] %}
    {%- for method_a in methods %}
        {%- for method_b in methods[loop.index:] %}
            {%- do pairs.append((method_a, method_b)) %}
        {%- endfor %}
    {%- endfor %}
    {{ return(pairs) }}
{% endmacro %}
