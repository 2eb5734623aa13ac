"""The mismatch rules (checkin.rules), specified by examples at each threshold and by properties.

The examples put every rule at its boundary with literal ratings, so a changed threshold shows up
as a failing example rather than a silently different product. The properties state what holds
for any two partners: the order of the partners carries no meaning, equal ratings are no gap, two
content partners raise nothing but a gap, every finding is well formed, and only this round and
the two before it are ever looked at. One property restates the whole module docstring
independently and compares.
"""

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from checkin.rules import IMPORTANCE, KINDS, Finding, Partner, Ratings, Side, find

pytestmark = pytest.mark.once  # the same on either engine: run in the PostgreSQL pass only

DIMENSIONS = ("connection", "independence")
SIDES = ("a", "b")

PROPERTIES = settings(max_examples=500, deadline=None, derandomize=True, database=None)


def rated(connection: int, independence: int, *earlier: tuple[int, int]) -> Partner:
    """A partner answering (connection, independence) now, after `earlier` rounds, newest first."""
    return Partner(Ratings(connection, independence), tuple(Ratings(c, i) for c, i in earlier))


def rated_on(dimension: str, now: int, *earlier: int, elsewhere: int = 4) -> Partner:
    """A partner whose ratings on `dimension` are `now` then `earlier` (newest first), and a steady
    `elsewhere` on the other dimension."""

    def ratings(value: int) -> Ratings:
        return Ratings(value, elsewhere) if dimension == "connection" else Ratings(elsewhere, value)

    return Partner(ratings(now), tuple(ratings(value) for value in earlier))


CONTENT = rated(4, 4)  # integrated and without history: raises nothing on its own


def seated(side: str, partner: Partner, other: Partner = CONTENT) -> list[Finding]:
    """The findings with `partner` in seat `side` and `other` in the remaining seat."""
    return find(partner, other) if side == "a" else find(other, partner)


def of_kind(kind: str, findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.kind == kind]


# --- gap --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dimension", DIMENSIONS)
@pytest.mark.parametrize(
    ("a_rating", "b_rating", "is_gap"),
    [
        (3, 4, False),
        (4, 3, False),
        (1, 2, False),
        (3, 5, True),
        (5, 3, True),
        (2, 4, True),
        (1, 5, True),
        (5, 1, True),
    ],
)
def test_ratings_two_or_more_apart_are_a_gap_and_one_apart_are_not(dimension, a_rating, b_rating, is_gap):
    findings = find(rated_on(dimension, a_rating), rated_on(dimension, b_rating))

    assert of_kind("gap", findings) == ([Finding("gap", dimension, None)] if is_gap else [])


def test_three_and_five_are_a_gap_although_both_needs_are_met():
    assert of_kind("gap", find(rated(3, 4), rated(5, 4))) == [Finding("gap", "connection", None)]


def test_a_gap_on_each_dimension_is_found_on_each():
    findings = find(rated(1, 5), rated(5, 1))

    assert Counter(of_kind("gap", findings)) == {
        Finding("gap", "connection", None): 1,
        Finding("gap", "independence", None): 1,
    }


# --- shared_need ------------------------------------------------------------------------------


@pytest.mark.parametrize("dimension", DIMENSIONS)
@pytest.mark.parametrize(
    ("a_rating", "b_rating", "is_shared"),
    [(1, 1, True), (1, 2, True), (2, 2, True), (2, 3, False), (3, 2, False), (3, 3, False), (5, 5, False)],
)
def test_a_need_unmet_for_both_partners_is_shared_and_met_for_either_is_not(dimension, a_rating, b_rating, is_shared):
    findings = find(rated_on(dimension, a_rating), rated_on(dimension, b_rating))

    assert of_kind("shared_need", findings) == ([Finding("shared_need", dimension, None)] if is_shared else [])


# --- pursue_withdraw --------------------------------------------------------------------------


def test_a_wanting_closeness_while_b_wants_space_is_pursue_withdraw_about_a():
    isolated, engulfed = rated(2, 4), rated(4, 2)

    assert of_kind("pursue_withdraw", find(isolated, engulfed)) == [Finding("pursue_withdraw", None, "a")]


def test_b_wanting_closeness_while_a_wants_space_is_pursue_withdraw_about_b():
    engulfed, isolated = rated(4, 2), rated(2, 4)

    assert of_kind("pursue_withdraw", find(engulfed, isolated)) == [Finding("pursue_withdraw", None, "b")]


def test_when_both_partners_are_adrift_pursue_withdraw_is_found_both_ways():
    findings = find(rated(2, 1), rated(1, 2))

    assert Counter(of_kind("pursue_withdraw", findings)) == {
        Finding("pursue_withdraw", None, "a"): 1,
        Finding("pursue_withdraw", None, "b"): 1,
    }


def test_two_adrift_partners_with_the_same_ratings_raise_pursue_withdraw_both_ways_and_two_shared_needs():
    assert Counter(find(rated(2, 2), rated(2, 2))) == {
        Finding("pursue_withdraw", None, "a"): 1,
        Finding("pursue_withdraw", None, "b"): 1,
        Finding("shared_need", "connection", None): 1,
        Finding("shared_need", "independence", None): 1,
    }


@pytest.mark.parametrize("pursuer_connection", [3, 4, 5])
def test_no_pursue_withdraw_when_the_would_be_pursuers_connection_is_met(pursuer_connection):
    assert of_kind("pursue_withdraw", find(rated(pursuer_connection, 4), rated(4, 2))) == []


@pytest.mark.parametrize("withdrawer_independence", [3, 4, 5])
def test_no_pursue_withdraw_when_the_would_be_withdrawers_independence_is_met(withdrawer_independence):
    assert of_kind("pursue_withdraw", find(rated(2, 4), rated(4, withdrawer_independence))) == []


def test_the_pursuers_own_independence_and_the_withdrawers_own_connection_do_not_matter():
    # a wants closeness (and space too); b wants space but is close enough: only a pursues.
    assert of_kind("pursue_withdraw", find(rated(1, 1), rated(5, 1))) == [Finding("pursue_withdraw", None, "a")]


def test_one_adrift_partner_beside_an_integrated_one_is_not_pursue_withdraw():
    assert of_kind("pursue_withdraw", find(rated(1, 1), rated(5, 5))) == []
    assert of_kind("pursue_withdraw", find(rated(5, 5), rated(1, 1))) == []


# --- persistent -------------------------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_a_need_unmet_two_rounds_in_a_row_is_not_yet_persistent(dimension, side):
    assert of_kind("persistent", seated(side, rated_on(dimension, 2, 1))) == []


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_a_need_unmet_three_rounds_in_a_row_is_persistent_and_about_that_partner(dimension, side):
    findings = seated(side, rated_on(dimension, 2, 1, 2))

    assert of_kind("persistent", findings) == [Finding("persistent", dimension, side)]


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_a_need_still_unmet_on_the_fourth_and_fifth_round_stays_persistent(dimension, side):
    fourth = seated(side, rated_on(dimension, 1, 2, 2, 1))
    fifth = seated(side, rated_on(dimension, 2, 1, 2, 2, 1))

    assert of_kind("persistent", fourth) == [Finding("persistent", dimension, side)]
    assert of_kind("persistent", fifth) == [Finding("persistent", dimension, side)]


@pytest.mark.parametrize("dimension", DIMENSIONS)
@pytest.mark.parametrize(
    "ratings_newest_first",
    [
        pytest.param((2, 3, 2, 2), id="one met round in between"),
        pytest.param((2, 2, 3), id="the oldest of the three met"),
        pytest.param((3, 2, 2), id="met this round after two unmet"),
        pytest.param((3, 3, 3), id="three rounds at three"),
    ],
)
def test_a_met_round_among_the_last_three_breaks_persistence(dimension, ratings_newest_first):
    for side in SIDES:
        assert of_kind("persistent", seated(side, rated_on(dimension, *ratings_newest_first))) == []


def test_persistence_on_one_dimension_says_nothing_about_the_other():
    findings = find(rated(2, 5, (1, 5), (2, 5)), CONTENT)

    assert of_kind("persistent", findings) == [Finding("persistent", "connection", "a")]


# --- drop -------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("dimension", DIMENSIONS)
@pytest.mark.parametrize(
    ("previous", "now", "is_drop"),
    [
        (4, 3, False),
        (2, 1, False),
        (5, 3, True),
        (3, 1, True),
        (5, 1, True),
    ],
)
def test_a_fall_of_two_or_more_since_the_previous_round_is_a_drop_and_of_one_is_not(
    previous, now, is_drop, dimension, side
):
    findings = seated(side, rated_on(dimension, now, previous))

    assert of_kind("drop", findings) == ([Finding("drop", dimension, side)] if is_drop else [])


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("dimension", DIMENSIONS)
@pytest.mark.parametrize(("previous", "now"), [(1, 5), (3, 5), (3, 3)])
def test_a_rise_or_no_change_is_not_a_drop(previous, now, dimension, side):
    assert of_kind("drop", seated(side, rated_on(dimension, now, previous))) == []


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_there_is_no_drop_without_a_previous_round(dimension, side):
    assert of_kind("drop", seated(side, rated_on(dimension, 1))) == []


def test_a_drop_is_measured_from_the_previous_round_only():
    fell_two_rounds_ago = rated_on("connection", 3, 3, 5)
    fell_since_last_round = rated_on("connection", 3, 5, 1)

    assert of_kind("drop", find(fell_two_rounds_ago, CONTENT)) == []
    assert of_kind("drop", find(fell_since_last_round, CONTENT)) == [Finding("drop", "connection", "a")]


# --- properties -------------------------------------------------------------------------------

ratings = st.builds(Ratings, connection=st.integers(1, 5), independence=st.integers(1, 5))
met_ratings = st.builds(Ratings, connection=st.integers(3, 5), independence=st.integers(3, 5))
partners = st.builds(Partner, now=ratings, before=st.lists(ratings, max_size=5).map(tuple))

EARLIER_ROUNDS_THAT_MATTER = 2  # persistence looks at three rounds, this one included; a drop at one


def swapped(finding: Finding) -> Finding:
    return replace(finding, about={"a": "b", "b": "a", None: None}[finding.about])


def unmet(rating: int) -> bool:
    return rating in (1, 2)


def findings_by_the_docstring(a: Partner, b: Partner) -> Counter[Finding]:
    """The module docstring restated in other words, as a multiset of findings."""
    seats: dict[Side, Partner] = {"a": a, "b": b}
    expected: Counter[Finding] = Counter()
    sides: tuple[tuple[Side, Side], ...] = (("a", "b"), ("b", "a"))
    for side, other in sides:
        if unmet(seats[side].now.connection) and unmet(seats[other].now.independence):
            expected[Finding("pursue_withdraw", None, side)] += 1
    for dimension in DIMENSIONS:
        mine, theirs = getattr(a.now, dimension), getattr(b.now, dimension)
        if abs(mine - theirs) >= 2:
            expected[Finding("gap", dimension, None)] += 1
        if unmet(mine) and unmet(theirs):
            expected[Finding("shared_need", dimension, None)] += 1
    for side, partner in seats.items():
        for dimension in DIMENSIONS:
            newest_first = [getattr(r, dimension) for r in (partner.now, *partner.before)]
            unmet_in_a_row = next((n for n, rating in enumerate(newest_first) if not unmet(rating)), len(newest_first))
            if unmet_in_a_row >= 3:
                expected[Finding("persistent", dimension, side)] += 1
            if len(newest_first) > 1 and newest_first[1] - newest_first[0] >= 2:
                expected[Finding("drop", dimension, side)] += 1
    return expected


@PROPERTIES
@given(a=partners, b=partners)
def test_the_findings_are_what_the_module_docstring_says(a, b):
    assert Counter(find(a, b)) == findings_by_the_docstring(a, b)


@PROPERTIES
@given(a=partners, b=partners)
def test_swapping_the_partners_swaps_about_in_every_finding_and_changes_nothing_else(a, b):
    assert Counter(find(b, a)) == Counter(swapped(finding) for finding in find(a, b))


@PROPERTIES
@given(a=partners, b=partners, dimension=st.sampled_from(DIMENSIONS))
def test_equal_ratings_on_a_dimension_never_give_a_gap_on_it(a, b, dimension):
    b = replace(b, now=replace(b.now, **{dimension: getattr(a.now, dimension)}))

    assert Finding("gap", dimension, None) not in find(a, b)


@PROPERTIES
@given(a=partners, b=partners)
def test_partners_answering_alike_this_round_never_have_a_gap(a, b):
    assert of_kind("gap", find(a, replace(b, now=a.now))) == []


@PROPERTIES
@given(a_now=met_ratings, b_now=met_ratings)
def test_two_integrated_partners_without_history_raise_nothing_but_a_gap(a_now, b_now):
    # Both content can still feel far apart (3 and 5): that gap is the only thing worth raising.
    assert of_kind("gap", find(Partner(a_now), Partner(b_now))) == find(Partner(a_now), Partner(b_now))


@PROPERTIES
@given(a_now=met_ratings, steps=st.tuples(st.integers(-1, 1), st.integers(-1, 1)))
def test_two_integrated_partners_without_history_within_a_step_of_each_other_raise_nothing_at_all(a_now, steps):
    b_now = Ratings(a_now.connection + steps[0], a_now.independence + steps[1])
    assume(min(b_now.connection, b_now.independence) >= 3 and max(b_now.connection, b_now.independence) <= 5)

    assert find(Partner(a_now), Partner(b_now)) == []


@PROPERTIES
@given(a=partners, b=partners)
def test_every_finding_has_a_known_kind_and_dimension(a, b):
    for finding in find(a, b):
        assert finding.kind in KINDS
        assert finding.dimension in (None, "connection", "independence")


@PROPERTIES
@given(a=partners, b=partners)
def test_findings_about_one_partner_name_them_and_findings_about_the_couple_name_no_one(a, b):
    for finding in find(a, b):
        if finding.kind == "pursue_withdraw":
            assert (finding.dimension, finding.about in SIDES) == (None, True)
        elif finding.kind in ("persistent", "drop"):
            assert (finding.dimension in DIMENSIONS, finding.about in SIDES) == (True, True)
        else:
            assert finding.kind in ("gap", "shared_need")
            assert (finding.dimension in DIMENSIONS, finding.about) == (True, None)


@PROPERTIES
@given(a=partners, b=partners)
def test_no_finding_is_raised_twice(a, b):
    findings = find(a, b)

    assert len(set(findings)) == len(findings)


recent_rounds = st.lists(ratings, min_size=EARLIER_ROUNDS_THAT_MATTER, max_size=EARLIER_ROUNDS_THAT_MATTER)
older_rounds = st.lists(ratings, max_size=5 - EARLIER_ROUNDS_THAT_MATTER)


@PROPERTIES
@given(
    a_now=ratings,
    a_recent=recent_rounds,
    a_older=older_rounds,
    b_now=ratings,
    b_recent=recent_rounds,
    b_older=older_rounds,
)
def test_rounds_older_than_the_two_before_this_one_change_nothing(a_now, a_recent, a_older, b_now, b_recent, b_older):
    with_older_rounds = find(Partner(a_now, (*a_recent, *a_older)), Partner(b_now, (*b_recent, *b_older)))

    assert with_older_rounds == find(Partner(a_now, tuple(a_recent)), Partner(b_now, tuple(b_recent)))


def test_a_rounds_findings_come_most_important_first():
    # Alice wants closeness, Bob space; far apart on both; both below their own last round.
    before = [Ratings(connection=5, independence=5)]
    found = find(
        Partner(now=Ratings(connection=1, independence=5), before=before),
        Partner(now=Ratings(connection=5, independence=1), before=before),
    )
    assert [(f.kind, f.dimension) for f in found] == [
        ("pursue_withdraw", None),
        ("drop", "connection"),
        ("drop", "independence"),
        ("gap", "connection"),
        ("gap", "independence"),
    ]
    assert IMPORTANCE[0] == "pursue_withdraw" and sorted(IMPORTANCE) == sorted(KINDS)
