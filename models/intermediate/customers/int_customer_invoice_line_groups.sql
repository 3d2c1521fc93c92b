{#-
    The valid and cancelled lines reduced to one row per customer, invoice, timestamp,
    country and outcome, with their count and exact decimal sum: the finest grain at which
    an as-of date can cut the lines, and about a twentieth of their rows. The RFM of every
    as-of date (macro customers_rfm_at), the monthly figures and the backtest read these
    rows instead of the lines.

    Incremental (macro raw_daily_run): a daily run recomputes the groups of the new lines'
    time window from every line of those times, old and new (an invoice's lines may span
    two files at the same timestamp), and replaces the groups of those timestamps.
-#}
{{ raw_daily_incremental_config(unique_key='invoiced_at') }}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_classified') }}

),
{%- if raw_loads_new_lines_only() %}

new_line_times as (

    {{ raw_new_line_times() }}

),

window_lines as (

    {#- the lines are appended in time order: DuckDB skips the row groups
        outside the window by their min/max #}
    select invoice_lines.*

    from invoice_lines
    where
        invoiced_at between (select new_line_times.first_invoiced_at from new_line_times)
        and (select new_line_times.last_invoiced_at from new_line_times)

),
{%- else %}

window_lines as (

    select * from invoice_lines

),
{%- endif %}

line_groups as (

    select
        customer_id,
        invoice_id,
        country,
        outcome,
        count(*) as line_count,
        sum(cast(line_amount as decimal(38, 6))) as line_amount,
        invoiced_at

    from window_lines
    where outcome in ('valid', 'cancellation')
    group by customer_id, invoice_id, country, outcome, invoiced_at

)

select * from line_groups
