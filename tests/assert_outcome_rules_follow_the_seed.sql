-- The macro transaction_outcome_rules names exactly the outcomes of the seed
-- transaction_outcomes, in the seed's order: the seed describes and ranks
-- the outcomes, the macro decides them, and neither may drift from the other.
with

rules as (

    select
        macro_rules.outcome,
        macro_rules.outcome_rank

    from (
        values
        {%- for rule in transaction_outcome_rules() %}
        ('{{ rule.outcome }}', {{ loop.index }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as macro_rules (outcome, outcome_rank)

),

outcomes as (

    select * from {{ ref('transaction_outcomes') }}

),

mismatched_outcomes as (

    select
        rules.outcome as rule_outcome,
        outcomes.outcome as seed_outcome,
        coalesce(rules.outcome_rank, outcomes.outcome_rank) as outcome_rank

    from rules
    full outer join outcomes
        on rules.outcome_rank = outcomes.outcome_rank
    where
        rules.outcome is null
        or outcomes.outcome is null
        or rules.outcome != outcomes.outcome

)

select * from mismatched_outcomes
