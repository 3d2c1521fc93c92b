{#-
    Numbers the copies of each exact duplicate: every staged column except the line id is
    compared (nulls compare equal), and the copy that comes first in the file is copy 1.
    Nothing is removed here; the outcome rules decide what a later copy means.
-#}
with

invoice_lines as (

    select * from {{ ref('stg_online_retail__invoice_lines') }}

),

numbered_copies as (

    select
        *,
        row_number() over (
            partition by
                invoice_id,
                stock_code,
                description,
                country,
                customer_id,
                quantity,
                unit_price,
                invoiced_at
            order by invoice_line_id
        ) as copy_number

    from invoice_lines

)

select * from numbered_copies
