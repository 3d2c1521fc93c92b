-- The cohorts split each month's customers and revenue of rpt_monthly_revenue:
-- per month, the cohorts' active customers and revenue add up to the month's,
-- and a cohort's size is the new customers of its month in every month before
-- the as-of date (rpt_monthly_revenue counts only customers of dim_customers).
with

cohort_retention as (

    select * from {{ ref('rpt_cohort_retention') }}

),

monthly_revenue as (

    select * from {{ ref('rpt_monthly_revenue') }}

),

as_of as (

    select max(as_of_date) as as_of_date
    from {{ ref('dim_customers') }}

),

cohort_months as (

    select
        month_start_date,
        sum(active_customers) as active_customers,
        sum(revenue) as revenue,
        count(*) as cohorts,
        sum(
            case
                when months_since_first_purchase = 0 then cohort_customers
                else 0
            end
        ) as new_customers

    from cohort_retention
    group by month_start_date

),

compared as (

    select
        coalesce(
            cohort_months.month_start_date, monthly_revenue.month_start_date
        ) as month_start_date,
        cohort_months.active_customers as cohort_active_customers,
        monthly_revenue.active_customers,
        cohort_months.new_customers as cohort_new_customers,
        monthly_revenue.new_customers,
        cohort_months.revenue as cohort_revenue,
        cohort_months.cohorts,
        monthly_revenue.revenue

    from cohort_months
    full outer join monthly_revenue
        on cohort_months.month_start_date = monthly_revenue.month_start_date

)

select compared.*
from compared
cross join as_of
where
    compared.cohort_active_customers is distinct from compared.active_customers
    -- each cohort's revenue is rounded to the penny
    or abs(compared.cohort_revenue - compared.revenue)
    > 0.005 * (compared.cohorts + 1)
    or compared.cohort_revenue is null
    or compared.revenue is null
    or (
        {{ dbt.dateadd('month', 1, 'compared.month_start_date') }}
        <= as_of.as_of_date
        and compared.cohort_new_customers != compared.new_customers
    )
