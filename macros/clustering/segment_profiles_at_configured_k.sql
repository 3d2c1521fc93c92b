{#- rpt_segment_profiles, or no rows when k had to be lowered for want of
    distinct customers (the selection_note of rpt_cluster_model_selection): the
    segment-naming tests skip such builds, as a handful of customers cannot show
    the contrast the names promise. -#}
{% macro segment_profiles_at_configured_k() %}
    select * from {{ ref('rpt_segment_profiles') }}
    where not exists (
        select 1 from {{ ref('rpt_cluster_model_selection') }}
        where selection_note is not null
    )
{% endmacro %}
