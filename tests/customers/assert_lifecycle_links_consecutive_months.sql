-- Each month of the lifecycle starts where the month before ended: its
-- previous-month revenue is that month's revenue, and that month's customers
-- are this month's repeating and lapsed ones (0 before the first month).
with

lifecycle as (

    select * from {{ ref('rpt_customer_lifecycle') }}

),

linked as (

    select
        this_month.month_start_date,
        this_month.previous_month_revenue,
        coalesce(previous_month.revenue, 0) as revenue_of_previous_month,
        this_month.repeating_customers + this_month.lapsed_customers
            as customers_from_previous_month,
        coalesce(previous_month.active_customers, 0)
            as active_customers_of_previous_month

    from lifecycle as this_month
    left join lifecycle as previous_month
        on
            previous_month.month_start_date
            = cast(
                {{ dbt.dateadd('month', -1, 'this_month.month_start_date') }}
                as date
            )

)

select * from linked
where
    abs(previous_month_revenue - revenue_of_previous_month) > 0.005
    or customers_from_previous_month != active_customers_of_previous_month
