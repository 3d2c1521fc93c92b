{#-
    Every customer's segments as each build saw them: a new version whenever the
    rule-based or a clustering segment changes (check strategy on the four columns).
-#}
{% snapshot customer_segments_snapshot %}

{{ config(
    schema='snapshots',
    unique_key='customer_id',
    strategy='check',
    check_cols=[
        'rfm_segment', 'kmeans_segment', 'agglomerative_segment', 'gmm_segment'
    ],
    hard_deletes='invalidate'
) }}

with

customers as (

    select * from {{ ref('dim_customers') }}

),

customer_segments as (

    select * from {{ ref('dim_customer_segments') }}

),

segments as (

    select
        customers.customer_id,
        customers.rfm_segment,
        customer_segments.kmeans_segment,
        customer_segments.agglomerative_segment,
        customer_segments.gmm_segment,
        customers.as_of_date

    from customers
    inner join customer_segments
        on customers.customer_id = customer_segments.customer_id

)

select * from segments

{% endsnapshot %}
