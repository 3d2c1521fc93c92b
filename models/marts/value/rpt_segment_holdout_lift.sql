{#-
    Do the segments predict who buys again? Per method and segment at the backtest's
    cutoff (rule-based and the three refitted clusterings; docs block backtest): the
    customers, how many bought in the holdout and for how much, and the lift over all
    the cutoff's customers.
-#}
with

customers_rfm as (

    select * from {{ ref('int_backtest_customers_rfm') }}

),

customers_clustered as (

    select * from {{ ref('int_backtest_customers_clustered') }}

),

holdout_actuals as (

    select * from {{ ref('int_backtest_holdout_actuals') }}

),

backtest_period as (

    select * from {{ ref('int_backtest_period') }}

),

customer_segments as (

    select
        customer_id,
        '{{ segmentation_methods()[0] }}' as method,  -- noqa: RF04
        rfm_segment as segment,
        cast(null as {{ dbt.type_int() }}) as segment_rank

    from customers_rfm

    union all

    select
        customer_id,
        method,
        segment,
        segment_rank

    from customers_clustered

),

all_customers as (

    select
        cast(count(*) as {{ type_double() }}) as customers,
        sum(case when has_holdout_purchase then 1 else 0 end)
        / cast(count(*) as {{ type_double() }}) as holdout_buyer_share,
        {{ exact_sum('holdout_revenue') }}
        / cast(count(*) as {{ type_double() }})
            as holdout_revenue_per_customer

    from holdout_actuals

),

segment_outcomes as (

    select
        customer_segments.method,
        customer_segments.segment,
        customer_segments.segment_rank,
        count(*) as customers,
        sum(
            case when holdout_actuals.has_holdout_purchase then 1 else 0 end
        ) as holdout_buyers,
        {{ exact_sum('holdout_actuals.holdout_revenue') }} as holdout_revenue

    from customer_segments
    inner join holdout_actuals
        on customer_segments.customer_id = holdout_actuals.customer_id
    group by
        customer_segments.method,
        customer_segments.segment,
        customer_segments.segment_rank

),

segment_lift as (

    select
        segment_outcomes.method,
        segment_outcomes.segment,
        cast(segment_outcomes.segment_rank as {{ dbt.type_int() }})
            as segment_rank,
        cast(segment_outcomes.customers as {{ dbt.type_int() }}) as customers,
        cast(segment_outcomes.holdout_buyers as {{ dbt.type_int() }})
            as holdout_buyers,
        segment_outcomes.customers / all_customers.customers as customer_share,
        segment_outcomes.holdout_buyers
        / cast(segment_outcomes.customers as {{ type_double() }})
            as holdout_buyer_share,
        segment_outcomes.holdout_revenue
        / cast(segment_outcomes.customers as {{ type_double() }})
            as holdout_revenue_per_customer,
        segment_outcomes.holdout_buyers
        / cast(segment_outcomes.customers as {{ type_double() }})
        / nullif(all_customers.holdout_buyer_share, 0) as holdout_buyer_lift,
        segment_outcomes.holdout_revenue
        / cast(segment_outcomes.customers as {{ type_double() }})
        / nullif(all_customers.holdout_revenue_per_customer, 0)
            as holdout_revenue_lift,
        backtest_period.cutoff_date

    from segment_outcomes
    cross join all_customers
    cross join backtest_period

)

select * from segment_lift
