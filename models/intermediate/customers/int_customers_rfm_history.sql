{#-
    RFM, scores and rule-based segment of every customer at every period start of the
    history before the build's as-of date (int_rfm_history_as_of_dates), by the macro
    customers_rfm_scored_at: the same code as int_customers_rfm_scored. Rows at a past
    period start depend only on lines dated before it, so an incremental run appends the
    dates not yet stored and leaves the rest; the build's own as-of date moves with the data
    and is never stored here (int_customers_rfm_scored_history adds it).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail'
) }}
with

history_as_of_dates as (

    select * from {{ ref('int_rfm_history_as_of_dates') }}

),

stored_as_of_dates as (

    {% if is_incremental() -%}
    select distinct stored.as_of_date from {{ this }} as stored
    {%- else -%}
    select as_of_date
    from history_as_of_dates
    where 1 = 0
    {%- endif %}

),

new_as_of_dates as (

    select history_as_of_dates.as_of_date

    from history_as_of_dates
    left join stored_as_of_dates
        on history_as_of_dates.as_of_date = stored_as_of_dates.as_of_date
    where
        not history_as_of_dates.is_build_as_of_date
        and stored_as_of_dates.as_of_date is null

),

customers_at_as_of_dates as (

    {{ customers_rfm_scored_at('new_as_of_dates') }}

)

select * from customers_at_as_of_dates
