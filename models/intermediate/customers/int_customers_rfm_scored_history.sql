{#-
    The history of RFM and rule-based segments at every as-of date of
    int_rfm_history_as_of_dates: the stored period starts of int_customers_rfm_history
    (only those of the current dates, should the grain or the as-of date have moved back)
    and the build's own as-of date from int_customers_rfm_scored.
-#}
{{ config(materialized='view') }}
with

history_as_of_dates as (

    select * from {{ ref('int_rfm_history_as_of_dates') }}

),

stored_history as (

    select * from {{ ref('int_customers_rfm_history') }}

),

customers_at_build_as_of_date as (

    select * from {{ ref('int_customers_rfm_scored') }}

),

history_at_as_of_dates as (

    select stored_history.*

    from stored_history
    inner join history_as_of_dates
        on stored_history.as_of_date = history_as_of_dates.as_of_date
    where not history_as_of_dates.is_build_as_of_date

    union all

    select * from customers_at_build_as_of_date

)

select * from history_at_as_of_dates
