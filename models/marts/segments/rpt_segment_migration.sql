{#-
    Where customers moved between two as-of dates of the segment history, per
    segmentation method and period type (macros segmentation_methods and
    segment_migration_periods). The history is cumulative: a customer of the
    earlier date is a customer of the later one, so every later customer is
    counted once and the earlier segment is null only for the newcomers. The
    revenue in the period is the docs block segment_migration_revenue.
-#}
with

segment_history as (

    select * from {{ ref('fct_customer_segment_history') }}

),

as_of_dates as (

    select distinct as_of_date
    from segment_history

),

date_pairs as (

    {%- for period in segment_migration_periods() %}
    select
        '{{ period.period_type }}' as period_type,
        earlier.as_of_date as from_as_of_date,
        later.as_of_date as to_as_of_date

    from as_of_dates as earlier
    inner join as_of_dates as later
        on
            later.as_of_date
            = cast(
                {{ dbt.dateadd(
                    'month', period.months, 'earlier.as_of_date'
                ) }} as date
            )
    where
        earlier.as_of_date
        = cast(
            {{ dbt.date_trunc(period.starts_on, 'earlier.as_of_date') }}
            as date
        )
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

customer_moves as (

    select
        date_pairs.period_type,
        later.customer_id,
        {%- for method in segmentation_methods() %}
        earlier.{{ segment_column(method) }} as from_{{ method }}_segment,
        later.{{ segment_column(method) }} as to_{{ method }}_segment,
        {%- endfor %}
        later.frequency - coalesce(earlier.frequency, 0) as period_orders,
        later.monetary - coalesce(earlier.monetary, 0) as period_revenue,
        date_pairs.from_as_of_date,
        date_pairs.to_as_of_date

    from date_pairs
    inner join segment_history as later
        on date_pairs.to_as_of_date = later.as_of_date
    left join segment_history as earlier
        on
            date_pairs.from_as_of_date = earlier.as_of_date
            and later.customer_id = earlier.customer_id

),

migration as (

    {%- for method in segmentation_methods() %}
    select
        '{{ method }}' as method,  -- noqa: RF04
        period_type,
        from_{{ method }}_segment as from_segment,
        to_{{ method }}_segment as to_segment,
        count(*) as customers,
        count(case when period_orders > 0 then 1 end) as buying_customers,
        round({{ exact_sum('period_revenue') }}, 2) as revenue,
        from_as_of_date,
        to_as_of_date

    from customer_moves
    group by
        period_type,
        from_{{ method }}_segment,
        to_{{ method }}_segment,
        from_as_of_date,
        to_as_of_date
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

migration_shares as (

    select
        method,
        period_type,
        from_segment,
        to_segment,
        customers,
        buying_customers,
        customers / sum(customers) over (
            partition by
                method,
                period_type,
                from_as_of_date,
                to_as_of_date,
                from_segment
        ) as from_segment_share,
        revenue,
        from_as_of_date,
        to_as_of_date

    from migration

)

select * from migration_shares
