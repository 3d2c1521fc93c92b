-- The deciles of rpt_clv_backtest split the overall row: where deciles exist,
-- their customers and actual purchases add up to the overall ones and their
-- shares of the holdout revenue to 1; there is exactly one overall row.
with

backtest as (

    select * from {{ ref('rpt_clv_backtest') }}

),

overall as (

    select
        count(*) as overall_rows,
        sum(customers) as customers,
        sum(actual_purchases) as actual_purchases

    from backtest
    where customer_group = 'overall'

),

deciles as (

    select
        count(*) as decile_rows,
        sum(customers) as customers,
        sum(actual_purchases) as actual_purchases,
        sum(holdout_revenue_share) as holdout_revenue_share

    from backtest
    where customer_group = 'decile'

)

select
    overall.overall_rows,
    overall.customers as overall_customers,
    deciles.customers as decile_customers,
    deciles.holdout_revenue_share

from overall
cross join deciles
where
    overall.overall_rows <> 1
    or (
        deciles.decile_rows > 0
        and (
            deciles.customers <> overall.customers
            or deciles.actual_purchases <> overall.actual_purchases
            or abs(coalesce(deciles.holdout_revenue_share, 1) - 1) > 1e-9
        )
    )
