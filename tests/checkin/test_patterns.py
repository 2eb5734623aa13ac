"""What a rating means (checkin.patterns), restated from the contract in shared/API.md.

A need is unmet at 1 or 2 and met at 3, 4 or 5. A partner's pattern follows from their two needs:
integrated (both met), engulfed (connection met, independence unmet), isolated (independence met,
connection unmet), adrift (both unmet). The expectations below are written out without using the
module: once as the whole 5 x 5 table, once as the rule in words.
"""

from collections import Counter

import pytest

from checkin.patterns import PATTERNS, is_met, pattern_of

RATINGS = (1, 2, 3, 4, 5)
MET = {3, 4, 5}

# The contract's table cell by cell: one row per connection rating, one column per independence
# rating (1 to 5, left to right).
TABLE = {
    5: ("engulfed", "engulfed", "integrated", "integrated", "integrated"),
    4: ("engulfed", "engulfed", "integrated", "integrated", "integrated"),
    3: ("engulfed", "engulfed", "integrated", "integrated", "integrated"),
    2: ("adrift", "adrift", "isolated", "isolated", "isolated"),
    1: ("adrift", "adrift", "isolated", "isolated", "isolated"),
}


def pattern_by_the_contract(connection: int, independence: int) -> str:
    connection_met, independence_met = connection in MET, independence in MET
    if connection_met and independence_met:
        return "integrated"
    if connection_met:
        return "engulfed"
    if independence_met:
        return "isolated"
    return "adrift"


def test_the_written_out_table_says_what_the_rule_in_words_says():
    # The two statements of the contract check each other before either checks the module.
    for connection in RATINGS:
        for independence in RATINGS:
            assert TABLE[connection][independence - 1] == pattern_by_the_contract(connection, independence)


@pytest.mark.parametrize("independence", RATINGS)
@pytest.mark.parametrize("connection", RATINGS)
def test_every_pair_of_ratings_has_the_pattern_the_contract_gives(connection, independence):
    expected = TABLE[connection][independence - 1]

    assert pattern_of(connection=connection, independence=independence) == expected


@pytest.mark.parametrize(("rating", "met"), [(1, False), (2, False), (3, True), (4, True), (5, True)])
def test_a_need_is_unmet_at_one_and_two_and_met_at_three_four_and_five(rating, met):
    assert is_met(rating) is met


def test_two_is_an_unmet_connection_and_three_a_met_one():
    assert pattern_of(connection=2, independence=4) == "isolated"
    assert pattern_of(connection=3, independence=4) == "integrated"


def test_two_is_an_unmet_independence_and_three_a_met_one():
    assert pattern_of(connection=4, independence=2) == "engulfed"
    assert pattern_of(connection=4, independence=3) == "integrated"


@pytest.mark.parametrize(
    ("connection", "independence", "expected"),
    [(2, 2, "adrift"), (2, 3, "isolated"), (3, 2, "engulfed"), (3, 3, "integrated")],
)
def test_both_needs_at_the_boundary_between_two_and_three(connection, independence, expected):
    assert pattern_of(connection=connection, independence=independence) == expected


def test_the_four_patterns_share_the_twenty_five_pairs_of_ratings_three_by_three_and_two_by_two():
    counts = Counter(pattern_of(connection=c, independence=i) for c in RATINGS for i in RATINGS)

    assert counts == {"integrated": 9, "engulfed": 6, "isolated": 6, "adrift": 4}
    assert set(PATTERNS) == set(counts)


def test_the_ratings_are_passed_by_name_so_connection_and_independence_cannot_be_swapped():
    with pytest.raises(TypeError):
        pattern_of(4, 2)  # type: ignore[call-arg]
