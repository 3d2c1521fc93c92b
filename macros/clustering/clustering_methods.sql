{#- The clustering methods, in the order reports list them: the SQL copy of
    segmentation.clustering.METHODS (tests/python/test_clustering_config.py keeps
    the two equal). -#}
{% macro clustering_methods() %}
    {{ return(['kmeans', 'agglomerative', 'gmm']) }}
{% endmacro %}
