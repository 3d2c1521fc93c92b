"""The outcome rules are written once; the docs that repeat them are checked against them.

The seed transaction_outcomes names, orders and describes the outcomes; the macro
transaction_outcome_rules holds their conditions (the dbt test
assert_outcome_rules_follow_the_seed keeps the two in step). Here: the docs block
`transaction_outcomes` repeats the seed word for word, and names the vars that switch rules.
"""

from __future__ import annotations

import csv
import re

from _dbt import REPO_ROOT

from segmentation.dbt_vars import project_vars


def docs_block(name: str) -> str:
    text = (REPO_ROOT / "models" / "_docs.md").read_text(encoding="utf-8")
    return text.split(f"{{% docs {name} %}}", 1)[1].split("{% enddocs %}", 1)[0]


def test_outcomes_docs_table_is_the_seed():
    # given the seed and the table of the docs block
    with open(REPO_ROOT / "seeds" / "transaction_outcomes.csv", encoding="utf-8") as handle:
        seed = [(row["outcome"], row["description"]) for row in csv.DictReader(handle)]
    table = re.findall(r"^\| `(\w+)` \| (.+) \|$", docs_block("transaction_outcomes"), re.M)
    # then they list the same outcomes, in the same order, with the same words
    assert table == seed


def test_outcomes_docs_name_the_vars_that_switch_rules_off():
    # given the switches of the macro and the vars the docs block names
    macro = (REPO_ROOT / "macros" / "transaction_outcome_rules.sql").read_text(encoding="utf-8")
    switches = set(re.findall(r"'switch': '(\w+)'", macro))
    named = set(re.findall(r"`(reject_\w+)`", docs_block("transaction_outcomes")))
    # then they are the same, and each is a var declared with its default
    assert switches == named == {"reject_duplicates", "reject_non_product_stock_codes"}
    assert switches <= set(project_vars())


def test_outcomes_docs_name_the_vars_of_the_plausibility_bounds():
    # given the vars the bounds model reads and the vars the docs block names
    model = REPO_ROOT / "models" / "intermediate" / "transactions"
    sql = (model / "int_invoice_line_plausibility_bounds.sql").read_text(encoding="utf-8")
    read = set(re.findall(r"var\('(\w+)'\)", sql))
    named = set(re.findall(r"`(\w+)`", docs_block("transaction_outcomes")))
    # then the docs name each, and each is a var declared with its default
    assert read == {
        "latest_valid_date",
        "implausible_amount_percentile",
        "implausible_amount_factor",
    }
    assert read <= named
    assert read <= set(project_vars())


def test_date_vars_checked_by_the_cli_are_declared():
    from segmentation.dbt_vars import DATE_VARS

    # every var named *_date lands in SQL as a date literal: the CLI checks each
    assert set(DATE_VARS) == {name for name in project_vars() if name.endswith("_date")}
