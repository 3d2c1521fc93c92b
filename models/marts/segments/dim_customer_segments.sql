with

customers_segmented as (

    select * from {{ ref('int_customers_segmented') }}

),

segment_history as (

    select * from {{ ref('fct_customer_segment_history') }}

),

kmeans_segment_changes as (

    {{ segment_history_changes('segment_history', 'kmeans_segment') }}

),

final as (

    select
        customers_segmented.customer_id,
        customers_segmented.kmeans_segment_rank,
        customers_segmented.agglomerative_segment_rank,
        customers_segmented.gmm_segment_rank,
        customers_segmented.kmeans_segment,
        kmeans_segment_changes.previous_kmeans_segment,
        customers_segmented.agglomerative_segment,
        customers_segmented.gmm_segment,
        customers_segmented.recency_days,
        customers_segmented.frequency,
        customers_segmented.monetary,
        customers_segmented.recency_scaled,
        customers_segmented.frequency_scaled,
        customers_segmented.monetary_scaled,
        customers_segmented.gmm_probability,
        customers_segmented.gmm_entropy,
        customers_segmented.is_agglomerative_fit_sample,
        kmeans_segment_changes.kmeans_segment_since

    from customers_segmented
    left join kmeans_segment_changes
        on customers_segmented.customer_id = kmeans_segment_changes.customer_id

)

select * from final
