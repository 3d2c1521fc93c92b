-- Per method and pair of dates, the migration rows with a from_segment add up
-- to the customers of the earlier date in the segment history: the history is
-- cumulative, so none of them is missing from the later date.
with

segment_history as (

    select * from {{ ref('fct_customer_segment_history') }}

),

migration as (

    select * from {{ ref('rpt_segment_migration') }}

),

history_customers as (

    select
        as_of_date,
        count(*) as customers

    from segment_history
    group by as_of_date

),

migrated_customers as (

    select
        method,
        period_type,
        from_as_of_date,
        to_as_of_date,
        sum(
            case when from_segment is not null then customers else 0 end
        ) as customers

    from migration
    group by method, period_type, from_as_of_date, to_as_of_date

)

select
    migrated_customers.*,
    history_customers.customers as history_customers

from migrated_customers
left join history_customers
    on migrated_customers.from_as_of_date = history_customers.as_of_date
where
    migrated_customers.customers != coalesce(history_customers.customers, 0)
