with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

transaction_audit as (

    select * from {{ ref('rpt_transaction_audit') }}

),

sales as (

    select
        count(*) as invoice_lines,
        count(distinct invoice_id) as orders,
        count(distinct stock_code) as products,
        count(distinct country) as countries,
        {{ exact_sum('line_amount') }} as revenue,
        cast(min(invoiced_at) as date) as first_invoice_date,
        cast(max(invoiced_at) as date) as last_invoice_date

    from invoice_lines

),

customer_count as (

    select count(*) as customers

    from customers

),

raw_rows as (

    select
        cast(sum(row_count) as bigint) as raw_rows,
        cast(
            sum(case when is_rejected then 0 else row_count end) as bigint
        ) as valid_rows

    from transaction_audit

),

headline as (

    select
        customer_count.customers,
        sales.orders,
        sales.invoice_lines,
        sales.products,
        sales.countries,
        sales.revenue,
        sales.revenue / nullif(sales.orders, 0) as average_order_value,
        raw_rows.raw_rows,
        raw_rows.valid_rows,
        raw_rows.raw_rows - raw_rows.valid_rows as rejected_rows,
        raw_rows.valid_rows / nullif(raw_rows.raw_rows, 0) as valid_row_share,
        sales.first_invoice_date,
        sales.last_invoice_date

    from sales
    cross join customer_count
    cross join raw_rows

)

select * from headline
