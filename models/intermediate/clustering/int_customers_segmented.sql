with

scaled_customers as (

    select * from {{ ref('int_customers_rfm_scaled') }}

),

kmeans_segments as (

    select * from {{ ref('int_customers_kmeans_clustered') }}

),

agglomerative_segments as (

    select * from {{ ref('int_customers_agglomerative_clustered') }}

),

gmm_probabilities as (

    select * from {{ ref('int_customer_gmm_probabilities') }}

),

gmm_entropies as (

    select
        customer_id,
        -{{ exact_sum(
            'case when probability > 0 then probability * ln(probability)'
            ~ ' else 0 end',
            scale=15
        ) }} as gmm_entropy

    from gmm_probabilities
    group by 1

),

gmm_assignments as (

    select
        gmm_probabilities.customer_id,
        gmm_probabilities.segment_rank as gmm_segment_rank,
        gmm_probabilities.segment as gmm_segment,
        gmm_probabilities.probability as gmm_probability,
        gmm_entropies.gmm_entropy

    from gmm_probabilities
    inner join gmm_entropies
        on gmm_probabilities.customer_id = gmm_entropies.customer_id
    where gmm_probabilities.is_assigned

),

customers_segmented as (

    select
        scaled_customers.customer_id,
        kmeans_segments.segment_rank as kmeans_segment_rank,
        agglomerative_segments.segment_rank as agglomerative_segment_rank,
        gmm_assignments.gmm_segment_rank,
        kmeans_segments.segment as kmeans_segment,
        agglomerative_segments.segment as agglomerative_segment,
        gmm_assignments.gmm_segment,
        cast(scaled_customers.recency_days as {{ dbt.type_int() }})
            as recency_days,
        cast(scaled_customers.frequency as {{ dbt.type_int() }}) as frequency,
        scaled_customers.monetary,
        scaled_customers.recency_scaled,
        scaled_customers.frequency_scaled,
        scaled_customers.monetary_scaled,
        gmm_assignments.gmm_probability,
        gmm_assignments.gmm_entropy,
        agglomerative_segments.is_fit_sample as is_agglomerative_fit_sample

    from scaled_customers
    left join kmeans_segments
        on scaled_customers.customer_id = kmeans_segments.customer_id
    left join agglomerative_segments
        on scaled_customers.customer_id = agglomerative_segments.customer_id
    left join gmm_assignments
        on scaled_customers.customer_id = gmm_assignments.customer_id

)

select * from customers_segmented
