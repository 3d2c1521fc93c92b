{#-
    The customer lifecycle per month, from int_customer_months_aggregated (the
    valid lines rpt_monthly_revenue reads): every customer who buys in a month
    is new, repeating or reactivated, every customer who bought the month before
    and not in this one is lapsed. The revenue bridge is the docs block
    customer_lifecycle_bridge.
-#}
with

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

customer_months_linked as (

    select
        customer_id,
        month_start_date,
        revenue,
        cast(
            {{ dbt.dateadd('month', -1, 'month_start_date') }} as date
        ) as previous_month_start_date,
        cast(
            {{ dbt.dateadd('month', 1, 'month_start_date') }} as date
        ) as next_month_start_date,
        lag(month_start_date) over (
            partition by customer_id order by month_start_date
        ) as previous_purchase_month_start_date,
        lag(revenue) over (
            partition by customer_id order by month_start_date
        ) as previous_purchase_month_revenue,
        lead(month_start_date) over (
            partition by customer_id order by month_start_date
        ) as next_purchase_month_start_date

    from customer_months

),

last_month as (

    select max(month_start_date) as month_start_date
    from customer_months

),

customer_month_states as (

    {#- a customer who buys: new, repeating or reactivated; revenue_before
        is the customer's revenue of the month before (repeating only) #}
    select
        customer_id,
        case
            when previous_purchase_month_start_date is null then 'new'
            when
                previous_purchase_month_start_date = previous_month_start_date
                then 'repeating'
            else 'reactivated'
        end as lifecycle_state,
        revenue,
        case
            when previous_purchase_month_start_date = previous_month_start_date
                then previous_purchase_month_revenue
            else 0
        end as revenue_before,
        month_start_date

    from customer_months_linked

    union all

    {#- a customer who bought in a month and not in the next: lapsed in the
        next month, if the data reaches it #}
    select
        customer_months_linked.customer_id,
        'lapsed' as lifecycle_state,
        0 as revenue,
        customer_months_linked.revenue as revenue_before,
        customer_months_linked.next_month_start_date as month_start_date

    from customer_months_linked
    cross join last_month
    where
        customer_months_linked.month_start_date < last_month.month_start_date
        and (
            customer_months_linked.next_purchase_month_start_date is null
            or customer_months_linked.next_purchase_month_start_date
            > customer_months_linked.next_month_start_date
        )

),

lifecycle as (

    select
        month_start_date,
        count(
            case when lifecycle_state != 'lapsed' then 1 end
        ) as active_customers,
        count(
            case when lifecycle_state = 'new' then 1 end
        ) as new_customers,
        count(
            case when lifecycle_state = 'repeating' then 1 end
        ) as repeating_customers,
        count(
            case when lifecycle_state = 'reactivated' then 1 end
        ) as reactivated_customers,
        count(
            case when lifecycle_state = 'lapsed' then 1 end
        ) as lapsed_customers,
        round(coalesce({{ exact_sum('revenue') }}, 0), 2) as revenue,
        round(
            coalesce({{ exact_sum('revenue_before') }}, 0), 2
        ) as previous_month_revenue,
        round(coalesce({{ exact_sum(
            "case when lifecycle_state = 'new' then revenue end"
        ) }}, 0), 2) as new_revenue,
        round(coalesce({{ exact_sum(
            "case when lifecycle_state = 'reactivated' then revenue end"
        ) }}, 0), 2) as reactivated_revenue,
        round(coalesce({{ exact_sum(
            "case when lifecycle_state = 'repeating' then revenue end"
        ) }}, 0), 2) as repeating_revenue,
        round(coalesce({{ exact_sum(
            "case when lifecycle_state = 'repeating' then revenue_before end"
        ) }}, 0), 2) as repeating_previous_month_revenue,
        round(coalesce({{ exact_sum(
            "case when lifecycle_state = 'repeating'"
            ~ " then revenue - revenue_before end"
        ) }}, 0), 2) as repeating_revenue_change,
        round(coalesce({{ exact_sum(
            "case when lifecycle_state = 'lapsed' then revenue_before end"
        ) }}, 0), 2) as lapsed_revenue

    from customer_month_states
    group by month_start_date

)

select * from lifecycle
