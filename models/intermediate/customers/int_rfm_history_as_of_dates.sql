{#-
    The as-of dates of the segment history: the start of every period (var
    `segment_history_grain`, month by default) from the end of the first full period of data
    up to the build's as-of date, and the build's as-of date itself, which is the latest. A
    period is full when the first valid purchase falls on its first day or before it. The
    period numbers come from a cross join of digits (portable; no date spine function).
-#}
{%- set grain = segment_history_grain() %}
with

customers as (

    select * from {{ ref('int_customers_rfm_aggregated') }}

),

data_range as (

    select
        min(cast(first_purchase_at as date)) as first_purchase_date,
        max(as_of_date) as build_as_of_date

    from customers

),

first_period as (

    select
        cast(
            {{ dbt.date_trunc(grain, 'first_purchase_date') }} as date
        ) as first_period_start,
        first_purchase_date,
        build_as_of_date

    from data_range
    where build_as_of_date is not null

),

first_full_period as (

    select
        case
            when first_purchase_date = first_period_start
                then first_period_start
            else
                cast(
                    {{ dbt.dateadd(grain, 1, 'first_period_start') }} as date
                )
        end as first_full_period_start,
        build_as_of_date

    from first_period

),

digits as (

    {%- for digit in range(10) %}
    select {{ digit }} as digit
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

period_numbers as (

    select
        units.digit
        + 10 * tens.digit
        + 100 * hundreds.digit
        + 1000 * thousands.digit as period_number

    from digits as units
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands

),

period_ends as (

    select
        cast(
            {{ dbt.dateadd(
                grain,
                'period_numbers.period_number + 1',
                'first_full_period.first_full_period_start'
            ) }} as date
        ) as as_of_date,
        first_full_period.build_as_of_date

    from first_full_period
    cross join period_numbers

),

as_of_dates as (

    select
        as_of_date,
        false as is_build_as_of_date

    from period_ends
    where as_of_date < build_as_of_date

    union all

    select
        build_as_of_date as as_of_date,
        true as is_build_as_of_date

    from first_full_period

),

as_of_dates_ordered as (

    select
        as_of_date,
        lag(as_of_date) over (order by as_of_date) as previous_as_of_date,
        is_build_as_of_date

    from as_of_dates

)

select * from as_of_dates_ordered
