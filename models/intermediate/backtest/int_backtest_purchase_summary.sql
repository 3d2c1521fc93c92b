{#-
    The value models' inputs of every customer at the backtest's cutoff: the macro
    customer_purchase_summary, which int_customers_purchase_summary applies at the build's
    as-of date.
-#}
with

customers as (

    select * from {{ ref('int_backtest_customers_rfm') }}

),

purchase_summary as (

    {{ customer_purchase_summary('customers') }}

)

select * from purchase_summary
