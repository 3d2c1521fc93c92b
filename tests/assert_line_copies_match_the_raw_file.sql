-- The table of copies was built from the raw file; the line-level views read
-- the file as it is now. A file replaced in place since the build (downloaded
-- or exported again) would attach copy numbers, and so outcomes, to the wrong
-- lines. So every copy and its first occurrence must still be in the file, and
-- still be equal lines (equal hashes of the compared values).
{%- set compared_columns = invoice_line_compared_columns() %}
with

copies as (

    select * from {{ ref('int_invoice_line_copies') }}
    where {{ raw_new_lines_condition('invoice_line_id') }}

),

invoice_lines as (

    {#- the lines as the file holds them now: every line of a full build; a
        daily run checks the copies among its new lines, and the files loaded
        before are unchanged (the CLI compares their names, sizes and times
        with the manifest), so their lines are compared as loaded #}
    {%- if raw_new_lines_requested() %}
    select * from {{ ref('int_invoice_lines_classified') }}
    {%- else %}
    select * from {{ ref('stg_online_retail__new_invoice_lines') }}
    {%- endif %}

),

copied_line_hashes as (

    select
        invoice_line_id,
        hash({{ compared_columns | join(', ') }}) as row_hash

    from invoice_lines
    where
        invoice_line_id in (select copies.invoice_line_id from copies)
        or invoice_line_id in (
            select copies.original_invoice_line_id from copies
        )

)

select
    copies.invoice_line_id,
    copies.original_invoice_line_id

from copies
left join copied_line_hashes as copy_line
    on copies.invoice_line_id = copy_line.invoice_line_id
left join copied_line_hashes as original_line
    on copies.original_invoice_line_id = original_line.invoice_line_id
where
    copy_line.row_hash is null
    or original_line.row_hash is null
    or copy_line.row_hash != original_line.row_hash
