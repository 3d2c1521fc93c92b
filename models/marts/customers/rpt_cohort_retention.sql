{#-
    Cohorts of first-purchase month, from int_customer_months_aggregated (the
    valid lines rpt_monthly_revenue reads): for every cohort and every month with
    sales from the cohort's first month on, how many of its customers bought and
    what they spent. Months in which none of the cohort bought are rows with
    zero, so the grid is whole.
-#}
with

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

customer_cohorts as (

    select
        customer_id,
        min(month_start_date) as cohort_month_start_date

    from customer_months
    group by customer_id

),

cohort_sizes as (

    select
        cohort_month_start_date,
        count(*) as cohort_customers

    from customer_cohorts
    group by cohort_month_start_date

),

sales_months as (

    select distinct month_start_date
    from customer_months

),

cohort_grid as (

    select
        cohort_sizes.cohort_month_start_date,
        cohort_sizes.cohort_customers,
        sales_months.month_start_date

    from cohort_sizes
    inner join sales_months
        on cohort_sizes.cohort_month_start_date <= sales_months.month_start_date

),

cohort_activity as (

    select
        customer_cohorts.cohort_month_start_date,
        customer_months.month_start_date,
        count(*) as active_customers,
        {{ exact_sum('customer_months.revenue') }} as revenue

    from customer_months
    inner join customer_cohorts
        on customer_months.customer_id = customer_cohorts.customer_id
    group by
        customer_cohorts.cohort_month_start_date,
        customer_months.month_start_date

),

retention as (

    select
        cohort_grid.cohort_month_start_date,
        cast({{ dbt.datediff(
            'cohort_grid.cohort_month_start_date',
            'cohort_grid.month_start_date',
            'month'
        ) }} as {{ dbt.type_int() }}) as months_since_first_purchase,
        cohort_grid.cohort_customers,
        coalesce(cohort_activity.active_customers, 0) as active_customers,
        coalesce(cohort_activity.active_customers, 0)
        / cohort_grid.cohort_customers as customer_share,
        round(coalesce(cohort_activity.revenue, 0), 2) as revenue,
        {{ exact_round(
            'coalesce(cohort_activity.revenue, 0) / cohort_grid.cohort_customers'
        ) }} as revenue_per_cohort_customer,
        cohort_grid.month_start_date

    from cohort_grid
    left join cohort_activity
        on
            cohort_grid.cohort_month_start_date
            = cohort_activity.cohort_month_start_date
            and cohort_grid.month_start_date = cohort_activity.month_start_date

)

select * from retention
