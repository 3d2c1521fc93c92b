{#-
    The backtest's two periods (docs block backtest): the calibration period ends the day
    before cutoff_date, the holdout runs from cutoff_date to the last day with valid lines.
    The cutoff is the var `backtest_cutoff_date`, else the holdout is the last
    `backtest_holdout_days` days of the data.
-#}
with

line_groups as (

    select * from {{ ref('int_customer_invoice_line_groups') }}

),

last_valid_day as (

    select max(cast(invoiced_at as date)) as holdout_end_date

    from line_groups
    where outcome = 'valid'

),

cutoff as (

    select
        {%- if var('backtest_cutoff_date') %}
        cast(
            '{{ var("backtest_cutoff_date") | replace("'", "''") }}' as date
        ) as cutoff_date,
        {%- else %}
        cast(
            {{ dbt.dateadd(
                'day',
                1 - var('backtest_holdout_days') | int,
                'holdout_end_date'
            ) }} as date
        ) as cutoff_date,
        {%- endif %}
        holdout_end_date

    from last_valid_day

),

backtest_period as (

    select
        {{ dbt.datediff(
            'cutoff_date', 'holdout_end_date', 'day'
        ) }} + 1 as holdout_days,
        cutoff_date,
        holdout_end_date

    from cutoff

)

select * from backtest_period
