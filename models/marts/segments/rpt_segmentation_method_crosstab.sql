with

customer_segments as (

    select * from {{ ref('dim_customer_segments') }}

),

crosstab as (

    {%- for method_a, method_b in clustering_method_pairs() %}
    select
        '{{ method_a }}' as method_a,
        '{{ method_b }}' as method_b,
        {{ method_a }}_segment as segment_a,
        {{ method_b }}_segment as segment_b,
        {{ method_a }}_segment_rank as segment_rank_a,
        {{ method_b }}_segment_rank as segment_rank_b,
        count(*) as customers

    from customer_segments
    group by 1, 2, 3, 4, 5, 6
    {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select * from crosstab
