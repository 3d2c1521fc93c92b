-- The lifecycle counts the months, customers and revenue of
-- rpt_monthly_revenue: a month of one has the same active customers and revenue
-- in the other (a month with lapsed customers only has none of either), and the
-- same new customers in every month before the as-of date (rpt_monthly_revenue
-- counts only customers of dim_customers, who bought before it).
with

lifecycle as (

    select * from {{ ref('rpt_customer_lifecycle') }}

),

monthly_revenue as (

    select * from {{ ref('rpt_monthly_revenue') }}

),

as_of as (

    select max(as_of_date) as as_of_date
    from {{ ref('dim_customers') }}

),

compared as (

    select
        coalesce(
            lifecycle.month_start_date, monthly_revenue.month_start_date
        ) as month_start_date,
        lifecycle.active_customers as lifecycle_active_customers,
        monthly_revenue.active_customers,
        lifecycle.new_customers as lifecycle_new_customers,
        monthly_revenue.new_customers,
        lifecycle.revenue as lifecycle_revenue,
        monthly_revenue.revenue

    from lifecycle
    full outer join monthly_revenue
        on lifecycle.month_start_date = monthly_revenue.month_start_date

)

select compared.*
from compared
cross join as_of
where
    compared.lifecycle_active_customers is null
    or compared.lifecycle_active_customers
    != coalesce(compared.active_customers, 0)
    or abs(compared.lifecycle_revenue - coalesce(compared.revenue, 0)) > 0.005
    or (
        {{ dbt.dateadd('month', 1, 'compared.month_start_date') }}
        <= as_of.as_of_date
        and compared.lifecycle_new_customers
        != coalesce(compared.new_customers, 0)
    )
