{#-
    RFM, scores and rule-based segment of every customer at every period start of the
    history before the build's as-of date (int_rfm_history_as_of_dates), by the macro
    customers_rfm_scored_at: the same code as int_customers_rfm_scored. Rows at a past
    period start depend only on lines dated before it, so an incremental run appends the
    dates not yet stored and leaves the rest; the build's own as-of date moves with the data
    and is never stored here (int_customers_rfm_scored_history adds it). A daily run's new
    lines may be dated before stored dates (a file's lines need not be later than the last
    file's): those dates are computed again and replace their rows.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert' if raw_new_lines_requested() else 'append',
    unique_key='as_of_date' if raw_new_lines_requested() else none,
    on_schema_change='fail'
) }}
-- depends_on: {{ ref('int_invoice_lines_classified') }}
with

history_as_of_dates as (

    select * from {{ ref('int_rfm_history_as_of_dates') }}

),
{%- if raw_loads_new_lines_only() %}

new_line_times as (

    {{ raw_new_line_times() }}

),
{%- endif %}

stored_as_of_dates as (

    {% if is_incremental() -%}
    select distinct stored.as_of_date from {{ this }} as stored
    {%- if raw_loads_new_lines_only() %}
    {#- a stored date stays while no new line is dated before it #}
    where cast(stored.as_of_date as timestamp) <= coalesce(
        (select new_line_times.first_invoiced_at from new_line_times),
        cast(stored.as_of_date as timestamp)
    )
    {%- endif %}
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
