with

customers as (

    select * from {{ ref('dim_customers') }}

),

customer_hashes as (

    select
        customer_id,
        {{ dbt.hash(dbt.concat([
            'cast(customer_id as ' ~ dbt.type_string() ~ ')',
            "'|'",
            control_group_salt(),
        ])) }} as customer_hash

    from customers

),

control_group_draws as (

    select
        customer_id,
        {{ hex_fraction('customer_hash') }} as control_group_draw

    from customer_hashes

),

final as (

    select
        customer_id,
        control_group_draw,
        control_group_draw < {{ control_group_share() }} as is_control_group

    from control_group_draws

)

select * from final
