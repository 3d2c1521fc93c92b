{#-
    The measures of a segment profile, in a query grouped by segment over customers
    (recency_days, frequency, monetary): size and share of customers, mean and median
    of each metric, share of revenue. `partition_by` names the column whose segments
    make up one whole (the method), none when all rows do.
-#}
{% macro segment_profile_measures(partition_by=none) -%}
    {%- set whole = 'over (partition by ' ~ partition_by ~ ')'
        if partition_by else 'over ()' -%}
    count(*) as customers,
    count(*) / sum(count(*)) {{ whole }} as customer_share,
    {{ exact_avg('recency_days') }} as mean_recency_days,
    {{ percentile_cont('recency_days', 0.5) }} as median_recency_days,
    {{ exact_avg('frequency') }} as mean_frequency,
    {{ percentile_cont('frequency', 0.5) }} as median_frequency,
    {{ exact_avg('monetary') }} as mean_monetary,
    {{ percentile_cont('monetary', 0.5) }} as median_monetary,
    {{ exact_sum('monetary') }}
    / cast(
        sum(sum(cast(monetary as decimal(38, 6)))) {{ whole }} as {{ type_double() }}
    ) as revenue_share
{%- endmacro %}
