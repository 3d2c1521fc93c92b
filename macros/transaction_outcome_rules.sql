{#-
    What counts as a cancellation, a duplicate, ... : the outcome rules of a raw line, in
    the order of the seed transaction_outcomes (the first that holds wins). A condition is
    SQL over int_invoice_lines_copy_numbered (alias invoice_lines) left-joined to the seed
    non_product_stock_codes and crossed with the one row of
    int_invoice_line_plausibility_bounds (alias plausibility_bounds); `switch` names the var
    that turns the rule off. The last outcome has no condition: every other line gets it.
    The two implausibility rules come before the customer and cancellation rules: a
    typo'd date or amount is wrong whatever the line is, and a cancellation is a return.
-#}
{% macro transaction_outcome_rules() -%}
    {{ return([
        {
            'outcome': 'unparseable',
            'condition': 'invoice_lines.parse_problems is not null',
        },
        {
            'outcome': 'future_date',
            'condition': 'cast(invoice_lines.invoiced_at as date)'
                ~ ' > plausibility_bounds.latest_valid_date',
        },
        {
            'outcome': 'implausible_amount',
            'condition': 'abs(invoice_lines.quantity * invoice_lines.unit_price)'
                ~ ' > plausibility_bounds.max_plausible_line_amount'
                ~ ' or abs(invoice_lines.quantity)'
                ~ ' > plausibility_bounds.max_plausible_quantity',
        },
        {
            'outcome': 'missing_customer_id',
            'condition': 'invoice_lines.customer_id is null',
        },
        {
            'outcome': 'cancellation',
            'condition': "upper(invoice_lines.invoice_id) like 'C%'",
        },
        {
            'outcome': 'adjustment',
            'condition': "upper(invoice_lines.invoice_id) like 'A%'",
        },
        {
            'outcome': 'non_positive_quantity',
            'condition': 'invoice_lines.quantity <= 0',
        },
        {
            'outcome': 'non_positive_price',
            'condition': 'invoice_lines.unit_price <= 0',
        },
        {
            'outcome': 'non_product_stock_code',
            'condition': 'non_product_stock_codes.stock_code is not null',
            'switch': 'reject_non_product_stock_codes',
        },
        {
            'outcome': 'duplicate',
            'condition': 'invoice_lines.copy_number > 1',
            'switch': 'reject_duplicates',
        },
        {
            'outcome': 'valid',
            'condition': none,
        },
    ]) }}
{%- endmacro %}
