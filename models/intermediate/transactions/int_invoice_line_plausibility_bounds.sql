{#-
    One row: the bounds past which a parsed line is implausible (outcomes future_date and
    implausible_amount of the macro transaction_outcome_rules). The amount and quantity
    bounds are var implausible_amount_factor times a high percentile (var
    implausible_amount_percentile) of the file's own non-zero lines, so a few runaway lines
    cannot move them; the date bound is var latest_valid_date, or the day the build runs.

    The percentile is percentile_cont's (interpolated between the two lines around its
    rank), taken from the counts of each value (int_invoice_line_magnitudes), so a daily
    run does not read the lines loaded before.
-#}
{%- set percentile = var('implausible_amount_percentile') -%}
{%- set factor = var('implausible_amount_factor') -%}
{%- if percentile is not number or not (0 < percentile < 1) -%}
    {{ exceptions.raise_compiler_error(
        'var implausible_amount_percentile must be a number between 0 and 1 '
        ~ '(exclusive), got ' ~ percentile) }}
{%- endif -%}
{%- if factor is not number or factor < 1 -%}
    {{ exceptions.raise_compiler_error(
        'var implausible_amount_factor must be a number of at least 1, got '
        ~ factor) }}
{%- endif -%}
{%- set latest_valid_date = var('latest_valid_date')
    or run_started_at.strftime('%Y-%m-%d') -%}
with

magnitude_counts as (

    select
        magnitude,
        magnitude_value,
        cast(sum(line_count) as {{ dbt.type_bigint() }}) as line_count

    from {{ ref('int_invoice_line_magnitudes') }}
    group by magnitude, magnitude_value

),

cumulative_counts as (

    select
        magnitude,
        magnitude_value,
        sum(line_count) over (
            partition by magnitude
            order by magnitude_value
            rows between unbounded preceding and current row
        ) as lines_up_to,
        sum(line_count) over (partition by magnitude) as total_lines

    from magnitude_counts

),

percentile_ranks as (

    {#- percentile_cont's 0-based rank among the sorted lines, and the ranks
        it interpolates between #}
    select
        magnitude,
        {{ percentile }} * (total_lines - 1) as percentile_rank,
        floor({{ percentile }} * (total_lines - 1)) as lower_rank,
        ceil({{ percentile }} * (total_lines - 1)) as upper_rank

    from cumulative_counts
    group by magnitude, total_lines

),

percentile_neighbours as (

    {#- the value at a 0-based rank: the first one whose lines reach past it #}
    select
        percentile_ranks.magnitude,
        percentile_ranks.percentile_rank,
        percentile_ranks.lower_rank,
        min(
            case
                when counts.lines_up_to > percentile_ranks.lower_rank
                    then counts.magnitude_value
            end
        ) as lower_value,
        min(
            case
                when counts.lines_up_to > percentile_ranks.upper_rank
                    then counts.magnitude_value
            end
        ) as upper_value

    from percentile_ranks
    inner join cumulative_counts as counts
        on percentile_ranks.magnitude = counts.magnitude
    group by
        percentile_ranks.magnitude,
        percentile_ranks.percentile_rank,
        percentile_ranks.lower_rank

),

percentiles as (

    select
        max(case when magnitude = 'line_amount' then percentile_value end)
            as line_amount_percentile,
        max(case when magnitude = 'quantity' then percentile_value end)
            as quantity_percentile

    from (
        select
            magnitude,
            lower_value
            + (upper_value - lower_value) * (percentile_rank - lower_rank)
                as percentile_value

        from percentile_neighbours
    ) as interpolated

),

bounds as (

    select
        line_amount_percentile,
        quantity_percentile,
        {{ factor }} * line_amount_percentile as max_plausible_line_amount,
        {{ factor }} * quantity_percentile as max_plausible_quantity,
        cast(
            '{{ latest_valid_date | string | replace("'", "''") }}' as date
        ) as latest_valid_date

    from percentiles

)

select * from bounds
