{#-
    Recency, frequency and monetary value per customer at the build's as-of date (var
    `rfm_as_of_date`; by default the day after the last valid purchase). Only lines dated
    before the as-of date count; cancellations of known customers are returns (monetary_net).
    The arithmetic is the macro customers_rfm_at, the same code as every date of the
    history (int_customers_rfm_history).
-#}
with

{% if var('rfm_as_of_date') -%}
as_of as (

    select
        cast(
            '{{ var("rfm_as_of_date") | replace("'", "''") }}' as date
        ) as as_of_date

),

{% endif -%}
customer_rfm as (

    {{ customers_rfm_at('as_of' if var('rfm_as_of_date') else none) }}

)

select * from customer_rfm
