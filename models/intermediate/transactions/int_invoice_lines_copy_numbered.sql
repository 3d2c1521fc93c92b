{#-
    Every line this build loads (stg_online_retail__new_invoice_lines: every line, or a
    daily run's new ones) with its copy number: 1 for the first occurrence of a line in the
    files, n for its n-th exact copy (int_invoice_line_copies finds them). Nothing is
    removed here; the outcome rules decide what a later copy means.

    A view, not a table: writing every line again with its text columns costs more than
    it saves its readers; they read only the columns they need from the raw file and join
    the small table of copies.
-#}
{{ config(materialized='view') }}
with

invoice_lines as (

    select * from {{ ref('stg_online_retail__new_invoice_lines') }}

),

later_copies as (

    select * from {{ ref('int_invoice_line_copies') }}

),

numbered as (

    select
        invoice_lines.*,
        coalesce(later_copies.copy_number, 1) as copy_number

    from invoice_lines
    left join later_copies
        on invoice_lines.invoice_line_id = later_copies.invoice_line_id

)

select * from numbered
