{#-
    Per customer of the latest as-of date of `history` (a relation with customer_id,
    as_of_date and `segment_column`, one row per customer and date; its latest date is the
    build's): previous_<segment_column>, the segment at the history's previous as-of date
    (null when not a customer then), and <segment_column>_since, the first as-of date of
    the current unbroken run of dates in today's segment.
-#}
{% macro segment_history_changes(history, segment_column) -%}
with

segment_history as (

    select
        customer_id,
        as_of_date,
        {{ segment_column }} as segment

    from {{ history }}

),

segment_history_latest_date as (

    select max(as_of_date) as latest_as_of_date

    from segment_history

),

segment_history_previous_date as (

    select max(segment_history.as_of_date) as previous_as_of_date

    from segment_history
    cross join segment_history_latest_date
    where
        segment_history.as_of_date
        < segment_history_latest_date.latest_as_of_date

),

segment_history_current as (

    select
        segment_history.customer_id,
        segment_history.segment

    from segment_history
    inner join segment_history_latest_date
        on
            segment_history.as_of_date
            = segment_history_latest_date.latest_as_of_date

),

segment_history_last_other as (

    select
        segment_history.customer_id,
        max(segment_history.as_of_date) as last_other_as_of_date

    from segment_history
    inner join segment_history_current
        on segment_history.customer_id = segment_history_current.customer_id
    where segment_history.segment != segment_history_current.segment
    group by segment_history.customer_id

),

segment_history_since as (

    select
        segment_history.customer_id,
        min(segment_history.as_of_date) as segment_since

    from segment_history
    left join segment_history_last_other
        on segment_history.customer_id = segment_history_last_other.customer_id
    where
        segment_history_last_other.last_other_as_of_date is null
        or segment_history.as_of_date
        > segment_history_last_other.last_other_as_of_date
    group by segment_history.customer_id

),

segment_history_previous as (

    select
        segment_history.customer_id,
        segment_history.segment

    from segment_history
    inner join segment_history_previous_date
        on
            segment_history.as_of_date
            = segment_history_previous_date.previous_as_of_date

),

segment_history_changed as (

    select
        segment_history_current.customer_id,
        segment_history_previous.segment as previous_{{ segment_column }},
        segment_history_since.segment_since as {{ segment_column }}_since

    from segment_history_current
    inner join segment_history_since
        on segment_history_current.customer_id = segment_history_since.customer_id
    left join segment_history_previous
        on
            segment_history_current.customer_id
            = segment_history_previous.customer_id

)

select * from segment_history_changed
{%- endmacro %}
