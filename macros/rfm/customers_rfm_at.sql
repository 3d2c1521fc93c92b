{#-
    Recency, frequency and monetary per customer at every date of `as_of_dates` (a relation
    or CTE with one column as_of_date, one row per date; none = the day after the last valid
    purchase): one row per customer with a valid purchase before the date, counting only
    lines dated before it. Cancellations of known customers are returns: monetary_net
    subtracts them.

    Set-wise: the lines come reduced to one row per customer, invoice, timestamp, country
    and outcome (int_customer_invoice_line_groups, exact decimal partial sums), the finest
    grain an as-of date can cut; only those before the latest date are joined to the dates.
    Frequency counts distinct invoices, so an invoice whose lines straddle a date counts
    once, from the first date after its first line. Inner CTE names start with rfm_ so they
    never shadow the caller's.
-#}
{% macro customers_rfm_at(as_of_dates) -%}
with

rfm_line_groups as (

    select * from {{ ref('int_customer_invoice_line_groups') }}
    {%- if as_of_dates is not none %}
    where
        invoiced_at < (
            select max(cast(as_of_date as timestamp)) from {{ as_of_dates }}
        )
    {%- endif %}

),

rfm_as_of_dates as (

    {%- if as_of_dates is none %}
    select
        cast(
            {{ dbt.dateadd('day', 1, 'max(cast(invoiced_at as date))') }}
            as date
        ) as as_of_date

    from rfm_line_groups
    where outcome = 'valid'
    {%- else %}
    select cast(as_of_date as date) as as_of_date

    from {{ as_of_dates }}
    {%- endif %}

),

rfm_line_groups_at as (

    select
        rfm_as_of_dates.as_of_date,
        rfm_line_groups.customer_id,
        rfm_line_groups.invoice_id,
        rfm_line_groups.country,
        rfm_line_groups.outcome,
        rfm_line_groups.invoiced_at,
        rfm_line_groups.line_count,
        rfm_line_groups.line_amount

    from rfm_line_groups
    inner join rfm_as_of_dates
        on
            rfm_line_groups.invoiced_at
            < cast(rfm_as_of_dates.as_of_date as timestamp)

),

rfm_purchases as (

    select
        customer_id,
        as_of_date,
        count(distinct invoice_id) as frequency,
        {{ exact_sum('line_amount') }} as monetary,
        min(invoiced_at) as first_purchase_at,
        max(invoiced_at) as last_purchase_at

    from rfm_line_groups_at
    where outcome = 'valid'
    group by customer_id, as_of_date

),

rfm_returns as (

    select
        customer_id,
        as_of_date,
        -{{ exact_sum('line_amount') }} as returns_amount

    from rfm_line_groups_at
    where outcome = 'cancellation'
    group by customer_id, as_of_date

),

rfm_countries_ranked as (

    select
        customer_id,
        as_of_date,
        country,
        row_number() over (
            partition by customer_id, as_of_date
            order by sum(line_count) desc, country
        ) as country_rank

    from rfm_line_groups_at
    where outcome = 'valid'
    group by customer_id, as_of_date, country

),

rfm_customers as (

    select
        rfm_purchases.customer_id,
        rfm_countries_ranked.country,
        {{ dbt.datediff(
            'cast(rfm_purchases.last_purchase_at as date)',
            'rfm_purchases.as_of_date',
            'day'
        ) }} as recency_days,
        rfm_purchases.frequency,
        round(rfm_purchases.monetary, 2) as monetary,
        round(
            rfm_purchases.monetary - coalesce(rfm_returns.returns_amount, 0), 2
        ) as monetary_net,
        {{ exact_round(
            'rfm_purchases.monetary / rfm_purchases.frequency'
        ) }} as average_order_value,
        rfm_purchases.as_of_date,
        rfm_purchases.first_purchase_at,
        rfm_purchases.last_purchase_at

    from rfm_purchases
    left join rfm_returns
        on
            rfm_purchases.customer_id = rfm_returns.customer_id
            and rfm_purchases.as_of_date = rfm_returns.as_of_date
    left join rfm_countries_ranked
        on
            rfm_purchases.customer_id = rfm_countries_ranked.customer_id
            and rfm_purchases.as_of_date = rfm_countries_ranked.as_of_date
            and rfm_countries_ranked.country_rank = 1

)

select * from rfm_customers
{%- endmacro %}
