with

line_groups as (

    select * from {{ ref('int_customer_invoice_line_groups') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

country_segment_sales as (

    select
        line_groups.country,
        customers.rfm_segment,
        {{ exact_sum('line_groups.line_amount') }} as revenue

    from line_groups
    -- lines after the as-of date may come from customers without an RFM row
    left join customers
        on line_groups.customer_id = customers.customer_id
    where line_groups.outcome = 'valid'
    group by 1, 2

),

country_totals as (

    select
        country,
        rfm_segment,
        revenue,
        {{ exact_sum('revenue', over='partition by country') }}
            as country_revenue

    from country_segment_sales

),

ranked_countries as (

    select
        country,
        rfm_segment,
        cast(dense_rank() over (
            order by country_revenue desc, country asc
        ) as {{ dbt.type_bigint() }}) as country_revenue_rank,
        revenue

    from country_totals

)

select * from ranked_countries
