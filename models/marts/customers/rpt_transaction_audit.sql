{#-
    Every outcome appears, with zero rows where no line had it, so the audit
    reads alike on every file.
-#}
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_classified') }}

),

outcomes as (

    select * from {{ ref('transaction_outcomes') }}

),

outcome_counts as (

    select
        outcome,
        count(*) as row_count

    from invoice_lines
    group by outcome

),

audit as (

    select
        outcomes.outcome,
        outcomes.description as outcome_description,
        outcomes.outcome_rank,
        coalesce(outcome_counts.row_count, 0) as row_count,
        coalesce(outcome_counts.row_count, 0)
        / sum(coalesce(outcome_counts.row_count, 0)) over () as row_share,
        outcomes.is_rejected

    from outcomes
    left join outcome_counts
        on outcomes.outcome = outcome_counts.outcome

)

select * from audit
