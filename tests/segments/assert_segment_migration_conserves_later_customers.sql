-- Per method and pair of dates, the migration rows add up to the customers of
-- the later date in the segment history: every one of them is counted once,
-- in one from -> to cell (newcomers with a null from_segment).
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
        sum(customers) as customers

    from migration
    group by method, period_type, from_as_of_date, to_as_of_date

)

select
    migrated_customers.*,
    history_customers.customers as history_customers

from migrated_customers
left join history_customers
    on migrated_customers.to_as_of_date = history_customers.as_of_date
where
    history_customers.customers is null
    or migrated_customers.customers != history_customers.customers
