{#-
    The valid purchases of each customer per calendar month, from the line groups
    (int_customer_invoice_line_groups): the grain of the customer lifecycle and the
    cohorts.

    Incremental (macro raw_daily_run): a daily run recomputes the months its new lines fall
    in from every group of those months, and replaces their rows.
-#}
{{ raw_daily_incremental_config(unique_key='month_start_date') }}
-- depends_on: {{ ref('int_invoice_lines_classified') }}
with

line_groups as (

    select * from {{ ref('int_customer_invoice_line_groups') }}

),
{%- if raw_loads_new_lines_only() %}

new_line_times as (

    {{ raw_new_line_times() }}

),

new_line_months as (

    select
        cast(
            {{ dbt.date_trunc('month', 'first_invoiced_at') }} as timestamp
        ) as first_month_start,
        cast(
            {{ dbt.dateadd(
                'month', 1, dbt.date_trunc('month', 'last_invoiced_at')
            ) }} as timestamp
        ) as next_month_start

    from new_line_times

),

window_groups as (

    {#- the groups are appended in time order: DuckDB skips the row groups
        outside the months by their min/max #}
    select line_groups.*

    from line_groups
    where
        invoiced_at >= (select new_line_months.first_month_start from new_line_months)
        and invoiced_at < (select new_line_months.next_month_start from new_line_months)

),
{%- else %}

window_groups as (

    select * from line_groups

),
{%- endif %}

valid_groups as (

    select
        customer_id,
        line_amount,
        cast(
            {{ dbt.date_trunc('month', 'invoiced_at') }} as date
        ) as month_start_date

    from window_groups
    where outcome = 'valid'

),

customer_months as (

    select
        customer_id,
        {{ exact_sum('line_amount') }} as revenue,
        month_start_date

    from valid_groups
    group by customer_id, month_start_date

)

select * from customer_months
