{#-
    The score bands as ranges: a customer scores s on a metric when its value lies above
    lower_bound_exclusive and at most upper_bound_inclusive. Recency runs the other way
    (5 = fewest days since the last purchase). Tied cut points leave a band empty.
-#}
with

thresholds as (

    select * from {{ ref('int_rfm_score_thresholds') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

bands as (

    {%- for metric, score_column in [
        ('recency_days', 'r_score'),
        ('frequency', 'f_score'),
        ('monetary', 'm_score'),
    ] %}
    {%- set cuts = ['null', 'p20', 'p40', 'p60', 'p80', 'null'] %}
    {%- for band in range(1, 6) %}
    select
        metric,
        {{ 6 - band if metric == 'recency_days' else band }} as score,
        cast({{ cuts[band - 1] }} as double) as lower_bound_exclusive,
        cast({{ cuts[band] }} as double) as upper_bound_inclusive,
        '{{ score_column }}' as score_column

    from thresholds
    where metric = '{{ metric }}'
    {{ 'union all' if not (loop.last and metric == 'monetary') }}
    {%- endfor %}
    {%- endfor %}

),

customer_counts as (

    {%- for metric, score_column in [
        ('recency_days', 'r_score'),
        ('frequency', 'f_score'),
        ('monetary', 'm_score'),
    ] %}
    select
        '{{ metric }}' as metric,
        {{ score_column }} as score,
        count(*) as customers

    from customers
    group by 1, 2
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

score_bands as (

    select
        bands.metric,
        bands.score_column,
        bands.score,
        bands.lower_bound_exclusive,
        bands.upper_bound_inclusive,
        coalesce(customer_counts.customers, 0) as customers

    from bands
    left join customer_counts
        on
            bands.metric = customer_counts.metric
            and bands.score = customer_counts.score

)

select * from score_bands
