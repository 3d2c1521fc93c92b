-- Per method and pair of dates, the revenue of the migration rows adds up to
-- the revenue of rpt_customer_lifecycle's months from the earlier date up to
-- the later one: every customer who bought between the dates is a customer of
-- the later date. Checked for pairs of month starts (the default grain).
with

migration as (

    select * from {{ ref('rpt_segment_migration') }}

),

lifecycle as (

    select * from {{ ref('rpt_customer_lifecycle') }}

),

migrated_revenue as (

    select
        method,
        period_type,
        from_as_of_date,
        to_as_of_date,
        count(*) as cells,
        sum(revenue) as revenue

    from migration
    group by method, period_type, from_as_of_date, to_as_of_date

),

month_start_pairs as (

    select * from migrated_revenue
    where
        from_as_of_date
        = cast({{ dbt.date_trunc('month', 'from_as_of_date') }} as date)
        and to_as_of_date
        = cast({{ dbt.date_trunc('month', 'to_as_of_date') }} as date)

),

compared as (

    select
        month_start_pairs.method,
        month_start_pairs.period_type,
        month_start_pairs.from_as_of_date,
        month_start_pairs.to_as_of_date,
        month_start_pairs.cells,
        month_start_pairs.revenue,
        coalesce(sum(lifecycle.revenue), 0) as lifecycle_revenue

    from month_start_pairs
    left join lifecycle
        on
            month_start_pairs.from_as_of_date <= lifecycle.month_start_date
            and month_start_pairs.to_as_of_date > lifecycle.month_start_date
    group by
        month_start_pairs.method,
        month_start_pairs.period_type,
        month_start_pairs.from_as_of_date,
        month_start_pairs.to_as_of_date,
        month_start_pairs.cells,
        month_start_pairs.revenue

)

select * from compared
-- each row's revenue is rounded to the penny, and so is each month's
where abs(revenue - lifecycle_revenue) > 0.005 * (cells + 12)
