-- Every raw line is accounted for exactly once: the audit's counts add up to
-- the number of rows in the raw file, and to the number of classified lines.
-- A line lost or counted twice between the file and the audit fails this test.
with

raw_rows as (

    select count(*) as row_count
    from {{ source('online_retail', 'invoice_lines') }}

),

classified_rows as (

    select count(*) as row_count from {{ ref('int_invoice_lines_classified') }}

),

audited_rows as (

    select sum(row_count) as row_count from {{ ref('rpt_transaction_audit') }}

)

select
    raw_rows.row_count as raw_row_count,
    classified_rows.row_count as classified_row_count,
    audited_rows.row_count as audited_row_count

from raw_rows
cross join classified_rows
cross join audited_rows
where
    raw_rows.row_count != audited_rows.row_count
    or classified_rows.row_count != audited_rows.row_count
