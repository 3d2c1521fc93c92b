{#-
    One row: the bounds past which a parsed line is implausible (outcomes future_date and
    implausible_amount of the macro transaction_outcome_rules). The amount and quantity
    bounds are var implausible_amount_factor times a high percentile (var
    implausible_amount_percentile) of the file's own non-zero lines, so a few runaway lines
    cannot move them; the date bound is var latest_valid_date, or the day the build runs.
-#}
{%- set percentile = var('implausible_amount_percentile') -%}
{%- set factor = var('implausible_amount_factor') -%}
{%- if percentile is not number or not (0 < percentile < 1) -%}
    {{ exceptions.raise_compiler_error(
        'var implausible_amount_percentile must be a number between 0 and 1 '
        ~ '(exclusive), got ' ~ percentile) }}
{%- endif -%}
{%- if factor is not number or factor < 1 -%}
    {{ exceptions.raise_compiler_error(
        'var implausible_amount_factor must be a number of at least 1, got '
        ~ factor) }}
{%- endif -%}
{%- set latest_valid_date = var('latest_valid_date')
    or run_started_at.strftime('%Y-%m-%d') -%}
with

invoice_lines as (

    {#- a daily run (macro raw_daily_run) takes the loaded lines from their
        table, which it reads faster than the raw files, and the new ones from
        staging #}
    {%- if raw_new_lines_requested() %}
    select
        quantity,
        unit_price,
        parse_problems

    from {{ raw_loaded_lines() }}

    union all

    select
        quantity,
        unit_price,
        parse_problems

    from {{ ref('stg_online_retail__new_invoice_lines') }}
    {%- else %}
    select * from {{ ref('stg_online_retail__invoice_lines') }}
    {%- endif %}

),

parsed_magnitudes as (

    select
        {#- zero lines (free items, corrections) say nothing of the scale #}
        nullif(abs(quantity * unit_price), 0) as line_amount,
        nullif(abs(quantity), 0) as quantity

    from invoice_lines
    where parse_problems is null

),

percentiles as (

    select
        {{ percentile_cont('line_amount', percentile) }}
            as line_amount_percentile,
        {{ percentile_cont('quantity', percentile) }} as quantity_percentile

    from parsed_magnitudes

),

bounds as (

    select
        line_amount_percentile,
        quantity_percentile,
        {{ factor }} * line_amount_percentile as max_plausible_line_amount,
        {{ factor }} * quantity_percentile as max_plausible_quantity,
        cast(
            '{{ latest_valid_date | string | replace("'", "''") }}' as date
        ) as latest_valid_date

    from percentiles

)

select * from bounds
