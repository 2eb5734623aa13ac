"""Mismatch rules: what in two partners' answers is worth talking about. Pure, no database.

The two partners are "a" and "b" (their order carries no meaning: swapping them swaps `about`
in every finding and changes nothing else). Each finding names its kind, its dimension (None
where it spans both) and whom it is about ("a", "b", or None for the couple).

- pursue_withdraw: one partner's connection is unmet while the other's independence is unmet:
  one wants more closeness while the other wants more space. About the one who wants closeness;
  when both are unmet on both dimensions it holds both ways and is found both ways.
- gap: the two ratings on one dimension differ by GAP_AT_LEAST or more (3 and 5 are far apart
  in how the two feel, even though both needs count as met).
- shared_need: both partners' need on one dimension is unmet.
- persistent: a partner's need on one dimension has been unmet for PERSISTENT_ROUNDS revealed
  rounds in a row, this one included (and on every later round while it stays unmet, so the
  open discussion grows instead of a new one opening).
- drop: a partner's rating on one dimension fell by DROP_AT_LEAST or more since their previous
  revealed round.

A round's findings come most important first (IMPORTANCE), as one conversation is led by its
first: the check-in's one discussion is led by it, and the others are its points.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from checkin.patterns import DIMENSIONS, is_met

Side = Literal["a", "b"]
KINDS = ("pursue_withdraw", "gap", "shared_need", "persistent", "drop")

# Which finding leads a round's one conversation, first to last:
# - pursue_withdraw: one reaching for closeness while the other needs space is the cycle Tandem
#   exists to soften; left unnamed it feeds itself, and it holds both partners' needs at once.
# - persistent: a need unmet for weeks is no longer a bad week; time gives it weight.
# - shared_need: both miss the same thing, the most hopeful place to start together.
# - drop: one partner feels less than last time; worth a gentle word, often a passing week.
# - gap: the two saw it differently, and both needs may well be met; the least pressing.
IMPORTANCE = ("pursue_withdraw", "persistent", "shared_need", "drop", "gap")

GAP_AT_LEAST = 2  # a difference of one step is noise in how people use a scale
PERSISTENT_ROUNDS = 3  # one low round is a bad week; three in a row is a pattern
DROP_AT_LEAST = 2


@dataclass(frozen=True)
class Ratings:
    connection: int
    independence: int

    def __getitem__(self, dimension: str) -> int:
        return getattr(self, dimension)


@dataclass(frozen=True)
class Finding:
    kind: str
    dimension: str | None
    about: Side | None


@dataclass(frozen=True)
class Partner:
    """A partner's answer this round, and their answers in earlier revealed rounds, newest first."""

    now: Ratings
    before: Sequence[Ratings] = ()


def _other(side: Side) -> Side:
    return "b" if side == "a" else "a"


def find(a: Partner, b: Partner) -> list[Finding]:
    partners: dict[Side, Partner] = {"a": a, "b": b}
    findings: list[Finding] = []
    for side, partner in partners.items():
        other = partners[_other(side)]
        if not is_met(partner.now.connection) and not is_met(other.now.independence):
            findings.append(Finding("pursue_withdraw", None, side))
    for dimension in DIMENSIONS:
        if abs(a.now[dimension] - b.now[dimension]) >= GAP_AT_LEAST:
            findings.append(Finding("gap", dimension, None))
        if not is_met(a.now[dimension]) and not is_met(b.now[dimension]):
            findings.append(Finding("shared_need", dimension, None))
    for side, partner in partners.items():
        for dimension in DIMENSIONS:
            recent = [partner.now, *partner.before[: PERSISTENT_ROUNDS - 1]]
            if len(recent) == PERSISTENT_ROUNDS and not any(is_met(r[dimension]) for r in recent):
                findings.append(Finding("persistent", dimension, side))
            if partner.before and partner.before[0][dimension] - partner.now[dimension] >= DROP_AT_LEAST:
                findings.append(Finding("drop", dimension, side))
    return most_important_first(findings)


def most_important_first(findings: Sequence[Finding]) -> list[Finding]:
    """`findings` by IMPORTANCE, closeness before space within a kind, otherwise as they came."""
    return sorted(findings, key=lambda f: importance(f.kind, f.dimension))


def importance(kind: str, dimension: str | None) -> tuple[int, int]:
    """Sorts a finding (or a flag: its dimension "" for both) by IMPORTANCE; lower leads."""
    return IMPORTANCE.index(kind), 0 if not dimension else 1 + DIMENSIONS.index(dimension)
