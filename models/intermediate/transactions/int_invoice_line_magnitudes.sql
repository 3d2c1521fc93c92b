{#-
    How many parsed lines carry each absolute line amount and each absolute quantity, zeros
    left out (free items and corrections say nothing of the scale): the distributions the
    plausibility bounds take their percentiles from, in far fewer rows than the lines.

    Incremental (macro raw_daily_run): a daily run appends the counts of the new lines, so
    a value may have several rows; readers add them up.
-#}
{{ raw_daily_incremental_config() }}
with

invoice_lines as (

    select * from {{ ref('stg_online_retail__new_invoice_lines') }}

),

parsed_magnitudes as (

    select
        nullif(abs(quantity * unit_price), 0) as line_amount,
        nullif(abs(quantity), 0) as quantity

    from invoice_lines
    where parse_problems is null

),

line_amount_counts as (

    select
        'line_amount' as magnitude,
        line_amount as magnitude_value,
        count(*) as line_count

    from parsed_magnitudes
    where line_amount is not null
    group by line_amount

),

quantity_counts as (

    select
        'quantity' as magnitude,
        cast(quantity as {{ type_double() }}) as magnitude_value,
        count(*) as line_count

    from parsed_magnitudes
    where quantity is not null
    group by quantity

)

select * from line_amount_counts
union all
select * from quantity_counts
