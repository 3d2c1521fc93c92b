{#-
    One row per later exact copy of a line: its eight staged values (invoice, stock code,
    description, country, customer, quantity, unit price, time: macro
    invoice_line_compared_columns; missing values compare equal) are those of a line earlier
    in the file. copy_number 2 is the first copy; original_invoice_line_id is the first
    occurrence. The table is small (about 1% of the lines), so int_invoice_lines_copy_numbered
    can stay a view that joins it to staging.

    Why not one window over all lines: a window partitioned by eight columns sorts the whole
    file with its text. Only a 64-bit hash of the eight columns is sorted, to find the
    hashes that occur more than once, and only the lines with such a hash are then
    numbered by the window. A hash collision merely adds a line to the
    candidates; the window still compares the columns themselves, so the numbers are exactly
    those of the plain window (DuckDB hashes nulls alike and 0.0 like -0.0, as the window
    compares them).

    Incremental (macro raw_daily_run): a daily run appends the copies among the new lines.
    A new line can copy an old one, so the new lines are numbered together with the loaded
    lines that could be equal to one of them: those of the same times (the files are
    appended in time order, so DuckDB skips the rest by its min/max of each row group).
-#}
{{ raw_daily_incremental_config() }}
{%- set compared_columns = invoice_line_compared_columns() -%}
{%- if raw_loads_new_lines_only() %}
with

new_lines as (

    select * from {{ ref('stg_online_retail__new_invoice_lines') }}

),

loaded_lines as (

    select * from {{ raw_loaded_lines() }}

),

new_line_times as (

    select
        min(invoiced_at) as first_invoiced_at,
        max(invoiced_at) as last_invoiced_at

    from new_lines

),

copy_candidates as (

    select
        invoice_line_id,
        {{ compared_columns | join(',\n        ') }}

    from new_lines

    union all

    select
        invoice_line_id,
        {{ compared_columns | join(',\n        ') }}

    from loaded_lines
    where
        invoiced_at between (select new_line_times.first_invoiced_at from new_line_times)
        and (select new_line_times.last_invoiced_at from new_line_times)
        or invoiced_at is null

),
{%- else %}
with

line_hashes as (

    {#- the staged lines are read twice, by two import CTEs: DuckDB would write
        one CTE read twice to a temporary table #}
    select hash({{ compared_columns | join(', ') }}) as row_hash

    from {{ ref('stg_online_retail__new_invoice_lines') }}

),

invoice_lines as (

    select * from {{ ref('stg_online_retail__new_invoice_lines') }}

),

sorted_hashes as (

    {#- sorted, equal hashes are neighbours: cheaper than grouping nearly every
        line into a group of its own #}
    select
        row_hash,
        lag(row_hash) over (order by row_hash) as previous_row_hash

    from line_hashes

),

repeated_row_hashes as (

    select distinct row_hash

    from sorted_hashes
    where row_hash = previous_row_hash

),

copy_candidates as (

    select
        invoice_line_id,
        {{ compared_columns | join(',\n        ') }}

    from invoice_lines
    where
        hash({{ compared_columns | join(', ') }})
        in (select repeated_row_hashes.row_hash from repeated_row_hashes)

),
{%- endif %}

numbered_candidates as (

    select
        invoice_line_id,
        row_number() over copies_in_file_order as copy_number,
        first_value(invoice_line_id)
            over copies_in_file_order
            as original_invoice_line_id

    from copy_candidates
    window copies_in_file_order as (
        partition by {{ compared_columns | join(', ') }}
        order by invoice_line_id
    )

),

later_copies as (

    select
        invoice_line_id,
        copy_number,
        original_invoice_line_id

    from numbered_candidates
    where copy_number > 1 and {{ raw_is_new_line('invoice_line_id') }}

)

select * from later_copies
