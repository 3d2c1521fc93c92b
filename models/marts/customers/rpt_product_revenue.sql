with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

product_sales as (

    select
        stock_code,
        -- the description on the product's first line in the file
        min_by(description, invoice_line_id) filter (
            where description is not null
        ) as description,
        cast(sum(quantity) as bigint) as quantity,
        {{ exact_sum('line_amount') }} as revenue

    from invoice_lines
    group by 1

),

ranked_products as (

    select
        stock_code,
        description,
        cast(row_number() over (
            order by revenue desc, stock_code asc
        ) as {{ dbt.type_bigint() }}) as revenue_rank,
        quantity,
        revenue

    from product_sales

)

select * from ranked_products
