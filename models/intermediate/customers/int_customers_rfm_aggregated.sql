{#-
    Recency, frequency and monetary value per customer at the as-of date (var
    `rfm_as_of_date`; by default the day after the last valid purchase). Only lines dated
    before the as-of date count. Cancellations of known customers are returns: monetary_net
    subtracts their value.

    The classified lines (which re-read the raw file) are read once, into a CTE with only
    the columns and outcomes RFM needs; DuckDB writes that CTE out once, as several CTEs
    read it, and the as-of date cannot filter it first because it is computed from it.
    Each reader then filters by the as-of date itself: a second CTE of the filtered lines
    would be written out again.
-#}
{%- set before_as_of -%}
invoiced_at < (select cast(as_of.as_of_date as timestamp) from as_of)
{%- endset -%}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_classified') }}

),

purchase_and_return_lines as (

    select
        customer_id,
        invoice_id,
        country,
        outcome,
        line_amount,
        invoiced_at

    from invoice_lines
    where outcome in ('valid', 'cancellation')

),

as_of as (

    {%- if var('rfm_as_of_date') %}
    select
        cast(
            '{{ var("rfm_as_of_date") | replace("'", "''") }}' as date
        ) as as_of_date
    {%- else %}
    select
        cast(
            {{ dbt.dateadd('day', 1, 'max(cast(invoiced_at as date))') }}
            as date
        ) as as_of_date

    from purchase_and_return_lines
    where outcome = 'valid'
    {%- endif %}

),

purchases as (

    select
        customer_id,
        count(distinct invoice_id) as frequency,
        {{ exact_sum('line_amount') }} as monetary,
        min(invoiced_at) as first_purchase_at,
        max(invoiced_at) as last_purchase_at

    from purchase_and_return_lines
    where outcome = 'valid' and {{ before_as_of }}
    group by customer_id

),

returns as (

    select
        customer_id,
        -{{ exact_sum('line_amount') }} as returns_amount

    from purchase_and_return_lines
    where outcome = 'cancellation' and {{ before_as_of }}
    group by customer_id

),

countries_ranked as (

    select
        customer_id,
        country,
        row_number() over (
            partition by customer_id
            order by count(*) desc, country
        ) as country_rank

    from purchase_and_return_lines
    where outcome = 'valid' and {{ before_as_of }}
    group by customer_id, country

),

customer_rfm as (

    select
        purchases.customer_id,
        countries_ranked.country,
        {{ dbt.datediff(
            'cast(purchases.last_purchase_at as date)', 'as_of.as_of_date', 'day'
        ) }} as recency_days,
        purchases.frequency,
        round(purchases.monetary, 2) as monetary,
        round(
            purchases.monetary - coalesce(returns.returns_amount, 0), 2
        ) as monetary_net,
        round(
            purchases.monetary / purchases.frequency, 2
        ) as average_order_value,
        as_of.as_of_date,
        purchases.first_purchase_at,
        purchases.last_purchase_at

    from purchases
    cross join as_of
    left join returns
        on purchases.customer_id = returns.customer_id
    left join countries_ranked
        on
            purchases.customer_id = countries_ranked.customer_id
            and countries_ranked.country_rank = 1

)

select * from customer_rfm
