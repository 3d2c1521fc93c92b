with

gmm_probabilities as (

    select * from {{ ref('int_customer_gmm_probabilities') }}

),

renamed as (

    select
        customer_id,
        segment_rank as gmm_segment_rank,
        segment as gmm_segment,
        probability,
        is_assigned

    from gmm_probabilities

)

select * from renamed
