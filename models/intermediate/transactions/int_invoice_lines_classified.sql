{#-
    Gives every raw line exactly one outcome: the first rule of the macro
    transaction_outcome_rules that holds, in the order of the seed transaction_outcomes.
    The duplicate and non-product rules can be switched off with vars (the figures
    published for this data set keep both kinds of line).

    A table of every line, written once per line: the customer models, the audit and the
    backtest read it instead of parsing the raw files again. Incremental (macro
    raw_daily_run): a daily run appends the new lines only. The lines loaded before keep
    their outcomes, which the plausibility bounds of this build (over every line) could
    change: such a run stops and asks for a full refresh.
-#}
{{ raw_daily_incremental_config() }}
{%- if execute and raw_loads_new_lines_only() %}
    {%- set rules = {} -%}
    {%- for rule in transaction_outcome_rules() -%}
        {%- do rules.update({rule.outcome: rule.condition}) -%}
    {%- endfor -%}
    {%- set changed = run_query(
        'select count(*) from ' ~ this ~ ' as invoice_lines cross join '
        ~ ref('int_invoice_line_plausibility_bounds') ~ ' as plausibility_bounds'
        ~ ' where invoice_lines.outcome != \'unparseable\' and ('
        ~ '(invoice_lines.outcome = \'future_date\') != coalesce('
        ~ rules.future_date ~ ', false)'
        ~ ' or (invoice_lines.outcome = \'implausible_amount\') != (not coalesce('
        ~ rules.future_date ~ ', false) and coalesce(' ~ rules.implausible_amount
        ~ ', false)))'
    ).columns[0].values()[0] -%}
    {%- if changed > 0 -%}
        {{ exceptions.raise_compiler_error(
            changed ~ ' line(s) loaded before would get another outcome (future_date or '
            ~ 'implausible_amount) under this build\'s plausibility bounds (var '
            ~ 'latest_valid_date, or the percentile of var implausible_amount_percentile '
            ~ 'over every line), so appending the new lines alone would differ from a full '
            ~ 'rebuild. ' ~ raw_full_refresh_hint()) }}
    {%- endif -%}
{%- endif %}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_copy_numbered') }}

),

non_product_stock_codes as (

    select * from {{ ref('non_product_stock_codes') }}

),

plausibility_bounds as (

    select * from {{ ref('int_invoice_line_plausibility_bounds') }}

),

classified as (

    select
        invoice_lines.invoice_line_id,
        invoice_lines.invoice_id,
        invoice_lines.stock_code,
        invoice_lines.description,
        invoice_lines.country,
        invoice_lines.parse_problems,
        case
            {%- for rule in transaction_outcome_rules() %}
            {%- if rule.condition is none %}
            else '{{ rule.outcome }}'
            {%- elif rule.switch is not defined or var(rule.switch) %}
            when ({{ rule.condition }})
                then '{{ rule.outcome }}'
            {%- endif %}
            {%- endfor %}
        end as outcome,
        invoice_lines.customer_id,
        invoice_lines.copy_number,
        invoice_lines.quantity,
        invoice_lines.unit_price,
        invoice_lines.quantity * invoice_lines.unit_price as line_amount,
        invoice_lines.invoiced_at

    from invoice_lines
    left join non_product_stock_codes
        on invoice_lines.stock_code = non_product_stock_codes.stock_code
    cross join plausibility_bounds

)

select * from classified
