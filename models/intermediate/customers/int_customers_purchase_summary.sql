{#-
    The per-customer inputs of the value models (BG/NBD, Gamma-Gamma), in days: purchases
    are distinct purchase days, measured over the customers and the as-of date of
    int_customers_rfm_aggregated (valid lines before the as-of date). The rule is the
    macro customer_purchase_summary, which the backtest applies at its cutoff.
-#}
with

customers as (

    select * from {{ ref('int_customers_rfm_aggregated') }}

),

purchase_summary as (

    {{ customer_purchase_summary('customers') }}

)

select * from purchase_summary
