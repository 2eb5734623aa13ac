"""Needs and patterns: the one place that says what a rating means. Pure, no ORM.

A need is unmet at 1 or 2 and met at 3, 4 or 5 (the contract's rule). Two needs make a pattern:
integrated (both met), engulfed (connection met, independence not), isolated (independence met,
connection not), adrift (neither).
"""

from typing import Literal

Pattern = Literal["integrated", "engulfed", "isolated", "adrift"]
PATTERNS: tuple[Pattern, ...] = ("integrated", "engulfed", "isolated", "adrift")
DIMENSIONS = ("connection", "independence")
LOWEST, HIGHEST = 1, 5
MET_FROM = 3  # a rating of 3 or more is a met need


def is_met(rating: int) -> bool:
    return rating >= MET_FROM


def pattern_of(*, connection: int, independence: int) -> Pattern:
    match is_met(connection), is_met(independence):
        case True, True:
            return "integrated"
        case True, False:
            return "engulfed"
        case False, True:
            return "isolated"
        case _:
            return "adrift"
