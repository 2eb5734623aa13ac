"""What a flag says, and the prompts that invite the conversation: the project's own words.

Summaries name who would like what (a need, never a fault) from the ratings only: never a note,
and never a private note. Prompts are a small library per kind, picked by the round so they vary.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from checkin.rules import Finding

DIMENSION_WORDS = {"connection": "closeness", "independence": "space"}


def summary(finding: Finding, names: dict[str, str]) -> str:
    """`names` maps "a" and "b" to display names."""
    person = names[finding.about] if finding.about else None
    other = names["b" if finding.about == "a" else "a"] if finding.about else None
    a, b = names["a"], names["b"]
    wanted = DIMENSION_WORDS.get(finding.dimension or "", "")
    match finding.kind:
        case "pursue_withdraw":
            return _("%(person)s would like more closeness; %(other)s would like more space.") % {
                "person": person,
                "other": other,
            }
        case "gap":
            return _("%(a)s and %(b)s felt differently about %(what)s this time.") % {
                "a": a,
                "b": b,
                "what": wanted,
            }
        case "shared_need":
            return _("%(a)s and %(b)s would both like more %(what)s.") % {"a": a, "b": b, "what": wanted}
        case "persistent":
            return _("%(person)s would still like more %(what)s, as at the last few check-ins.") % {
                "person": person,
                "what": wanted,
            }
        case "drop":
            # The need, not what the partner did: less close, less room of one's own ("less free"
            # would say the partner held them back).
            if finding.dimension == "connection":
                return _("%(person)s felt a little less close than at the last check-in.") % {"person": person}
            return _("%(person)s felt a little less room for themselves than at the last check-in.") % {
                "person": person
            }
    raise ValueError(finding.kind)


PROMPTS: dict[str, tuple[str, ...]] = {
    "pursue_withdraw": (
        N_("What would closeness look like this week that also leaves room for time of your own?"),
        N_("When one of you reaches out and the other needs room, what helps each of you feel understood?"),
        N_("Could you each name one small thing the other could do that would feel like enough, not too much?"),
        N_("Think of a time the balance felt right between you. What was different then?"),
    ),
    "gap": (
        N_("You saw this differently this time. What was the week like from where each of you stood?"),
        N_("What is one moment that shaped your answer? Taking turns, and listening first, can help."),
        N_("Is there something that felt fine to one of you and not to the other? Curiosity over verdicts."),
    ),
    "shared_need": (
        N_("You both want more of the same thing. What is one small step you could take together?"),
        N_("What has been getting in the way for both of you lately?"),
        N_("If next week went well on this, what would you notice?"),
    ),
    "persistent": (
        N_("This has come up a few times. What would make a real difference, even a small one?"),
        N_("Is there something bigger behind this that is worth talking about gently?"),
        N_("What support would help, from each other or from outside?"),
    ),
    "drop": (
        N_("Something shifted since last time. Is there anything you'd like to share about it?"),
        N_("What changed recently, and what would help now?"),
        N_("How can you look after each other this week?"),
    ),
}


def prompt(kind: str, *, variant: int) -> str:
    choices = PROMPTS[kind]
    return _(choices[variant % len(choices)])
