-- Warns (does not fail) on each valid line dated more than var
-- date_gap_warning_days after the previous day with valid lines: a lone line
-- far beyond the bulk of the dates is most likely a mistyped date that
-- future_date cannot see (a past year, or a pinned latest_valid_date). Each
-- row names the line and the gap before it.
{{ config(severity='warn') }}
{%- set max_gap_days = var('date_gap_warning_days') %}
{%- if max_gap_days is not number or max_gap_days < 1 %}
    {{ exceptions.raise_compiler_error(
        'var date_gap_warning_days must be a whole number of days (at least 1), got '
        ~ max_gap_days) }}
{%- endif %}

with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

line_groups as (

    select * from {{ ref('int_customer_invoice_line_groups') }}

),

invoice_dates as (

    {#- the dates from the line groups, a twentieth of the lines; the lines are
        read only on the dates after a gap #}
    select distinct cast(invoiced_at as date) as invoice_date

    from line_groups
    where outcome = 'valid'

),

date_gaps as (

    select
        invoice_date,
        lag(invoice_date) over (order by invoice_date) as previous_invoice_date

    from invoice_dates

),

dates_after_a_gap as (

    select
        invoice_date,
        previous_invoice_date,
        {{ dbt.datediff('previous_invoice_date', 'invoice_date', 'day') }}
            as gap_days

    from date_gaps
    where
        {{ dbt.datediff('previous_invoice_date', 'invoice_date', 'day') }}
        > {{ max_gap_days }}

),

lines_after_a_gap as (

    select
        invoice_lines.invoice_line_id,
        invoice_lines.invoice_id,
        dates_after_a_gap.gap_days,
        dates_after_a_gap.previous_invoice_date,
        invoice_lines.invoiced_at

    from invoice_lines
    inner join dates_after_a_gap
        on invoice_lines.invoice_date = dates_after_a_gap.invoice_date

)

select * from lines_after_a_gap
