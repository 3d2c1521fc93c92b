{#-
    Numbers the copies of each exact duplicate: every staged column except the line id is
    compared (nulls compare equal), and the copy that comes first in the file is copy 1.
    Nothing is removed here; the outcome rules decide what a later copy means.

    Why not one window over all lines: a window partitioned by eight columns sorts the whole
    file (half a minute per 10M lines). Only about 1% of lines repeat, so the lines are
    grouped by a hash of the eight columns first, and only the lines whose hash occurs more
    than once are sorted. A hash collision merely adds a line to the candidates; the window
    still compares the columns themselves, so the numbers are exactly those of the plain
    window (DuckDB hashes nulls alike and 0.0 like -0.0, as the window compares them).
-#}
{%- set compared_columns = [
    'invoice_id',
    'stock_code',
    'description',
    'country',
    'customer_id',
    'quantity',
    'unit_price',
    'invoiced_at',
] -%}
with

invoice_lines as (

    select * from {{ ref('stg_online_retail__invoice_lines') }}

),

repeated_row_hashes as (

    select hash({{ compared_columns | join(', ') }}) as row_hash

    from invoice_lines
    group by 1
    having count(*) > 1

),

copy_candidates as (

    select *

    from invoice_lines
    where
        hash({{ compared_columns | join(', ') }})
        in (select repeated_row_hashes.row_hash from repeated_row_hashes)

),

numbered_candidates as (

    select
        invoice_line_id,
        row_number() over (
            partition by {{ compared_columns | join(', ') }}
            order by invoice_line_id
        ) as copy_number

    from copy_candidates

),

numbered_copies as (

    select
        invoice_lines.*,
        coalesce(numbered_candidates.copy_number, 1) as copy_number

    from invoice_lines
    left join numbered_candidates
        on invoice_lines.invoice_line_id = numbered_candidates.invoice_line_id

)

select * from numbered_copies
