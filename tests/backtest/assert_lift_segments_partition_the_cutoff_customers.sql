-- Every method puts every customer of the backtest's cutoff in exactly one
-- segment: the customers of each method's segments add up to the cutoff's
-- customers.
with

segment_lift as (

    select * from {{ ref('rpt_segment_holdout_lift') }}

),

customers_rfm as (

    select * from {{ ref('int_backtest_customers_rfm') }}

),

method_customers as (

    select
        method,
        sum(customers) as customers

    from segment_lift
    group by method

),

cutoff_customers as (

    select count(*) as customers

    from customers_rfm

)

select
    method_customers.method,
    method_customers.customers,
    cutoff_customers.customers as cutoff_customers

from method_customers
cross join cutoff_customers
where method_customers.customers <> cutoff_customers.customers
