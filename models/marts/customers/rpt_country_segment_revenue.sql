with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

country_segment_sales as (

    select
        invoice_lines.country,
        customers.rfm_segment,
        {{ exact_sum('invoice_lines.line_amount') }} as revenue

    from invoice_lines
    -- lines after the as-of date may come from customers without an RFM row
    left join customers
        on invoice_lines.customer_id = customers.customer_id
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
