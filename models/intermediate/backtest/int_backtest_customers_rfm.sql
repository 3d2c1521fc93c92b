{#-
    RFM, scores and rule-based segment of every customer at the backtest's cutoff, from
    lines dated before it only: the macro customers_rfm_scored_at, which the build's own
    RFM uses at its as-of date.
-#}
with

backtest_period as (

    select * from {{ ref('int_backtest_period') }}

),

as_of_dates as (

    select cutoff_date as as_of_date

    from backtest_period

),

customers_at_cutoff as (

    {{ customers_rfm_scored_at('as_of_dates') }}

)

select * from customers_at_cutoff
