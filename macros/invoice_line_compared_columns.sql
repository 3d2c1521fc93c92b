{% macro invoice_line_compared_columns() -%}
    {#- The staged values two lines must share to be exact copies of each other. -#}
    {{ return([
        'invoice_id',
        'stock_code',
        'description',
        'country',
        'customer_id',
        'quantity',
        'unit_price',
        'invoiced_at',
    ]) }}
{%- endmacro %}
