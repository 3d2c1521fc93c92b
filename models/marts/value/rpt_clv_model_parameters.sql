with

model_parameters as (

    select * from {{ ref('int_value_model_parameters') }}

),

final as (

    select
        model,
        parameter,
        time_unit,
        status,
        status_message,
        estimate,
        log_likelihood,
        cast(customers_used as {{ dbt.type_int() }}) as customers_used

    from model_parameters

)

select * from final
