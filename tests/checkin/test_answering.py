"""Answering (checkin.services.answer_submit) over random sequences of answers, edits, the partner's
answers, an outsider's answers, the window ending (before and after the tick closes the round) and
the couple ending: every sequence ends in a state the rules allow, and the sequences reach every
outcome."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkin import services
from checkin.errors import NoSuchRound, RoundClosed
from checkin.models import Answer, Round
from notifications.models import Notification
from tests.builders import pair
from tests.factories import UserFactory
from workflows import services as workflows_services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(hours=48)
BODY_FIELDS = ("connection", "independence", "note", "private_note")

bodies = st.fixed_dictionaries(
    {
        "connection": st.integers(1, 5),
        "independence": st.integers(1, 5),
        "note": st.sampled_from(["", "A calm week.", "Missing our evenings."]),
        "private_note": st.sampled_from(["", "only mine"]),
    }
)
steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["me", "partner", "outsider"]), bodies),
        st.just(("window ends", None)),
        st.just(("window closes", None)),
        st.just(("couple ends", None)),
    ),
    min_size=1,
    max_size=8,
)


def run(people, round_id: int, sequence) -> list:
    """Play `sequence`; what each step gave, then the rows it left."""
    seen: list[tuple] = []
    now = T0
    for step, body in sequence:
        now += timedelta(minutes=10)
        with time_machine.travel(now, tick=False):
            if step == "window ends":  # the tick has not closed it yet
                now = max(now, T0 + WINDOW)
                seen.append(("window ended",))
            elif step == "window closes":
                now = T0 + WINDOW + timedelta(minutes=1)
                seen.append(("closed", services.round_close(round_id=round_id, now=now)))
            elif step == "couple ends":
                try:
                    workflows_services.couple_leave(user=people["me"])
                    seen.append(("ended",))
                except Exception as error:
                    seen.append(("not ended", type(error).__name__))
            else:
                try:
                    with transaction.atomic():
                        made = services.answer_submit(user=people[step], round_id=round_id, **body, now=now)
                    seen.append((step, *(getattr(made, field) for field in (*BODY_FIELDS, "updated_at"))))
                except (NoSuchRound, RoundClosed) as error:
                    seen.append((step, type(error).__name__))
    checkin_round = Round.objects.get(pk=round_id)
    answers = sorted(
        (a.user.email, *(getattr(a, f) for f in (*BODY_FIELDS, "submitted_at", "updated_at")))
        for a in Answer.objects.filter(round_id=round_id).select_related("user")
    )
    told = Notification.objects.filter(kind=Notification.Kind.RESULTS_READY).count()
    state = (checkin_round.status, checkin_round.revealed_at, answers, told)
    return [seen, state]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_every_sequence_ends_in_a_state_the_rules_allow(sequence):
    with transaction.atomic():
        people = {"me": UserFactory.create(), "partner": UserFactory.create(), "outsider": UserFactory.create()}
        couple = pair(people["me"], people["partner"])
        pair(people["outsider"], UserFactory.create())
        checkin_round = services.round_open(couple=couple, window_hours=48, now=T0)
        seen, (status, revealed_at, answers, told) = run(people, checkin_round.pk, sequence)
        emails = {name: person.email for name, person in people.items()}
        transaction.set_rollback(True)
    answered = [(step, body, outcome) for (step, body), outcome in zip(sequence, seen, strict=True) if body]
    # A partner's answer is accepted exactly while the round is answerable: until the window ends
    # or the round closes, the couple ends or both have answered (the reveal).
    answerable, partners_answered = True, set()
    for (step, body), outcome in zip(sequence, seen, strict=True):
        if step in ("window ends", "window closes") or outcome == ("ended",):
            answerable = False
        elif step == "outsider":
            assert outcome[1] == "NoSuchRound"  # never another couple's round
        elif body is not None:
            accepted = len(outcome) > 2
            assert accepted == answerable, (step, outcome)
            if accepted:  # what was sent
                assert outcome[1:5] == tuple(body[field] for field in BODY_FIELDS)
                partners_answered.add(step)
                answerable = len(partners_answered) < 2
    # Each partner's answer is the last one accepted from them, and nobody else's is there.
    last = {step: body for step, body, outcome in answered if len(outcome) > 2}
    assert sorted(a[0] for a in answers) == sorted(emails[step] for step in last)
    for row in answers:
        step = next(name for name, email in emails.items() if email == row[0])
        assert row[1:5] == tuple(last[step][field] for field in BODY_FIELDS)
    # Revealed exactly when both partners answered, once, and then both are told, once.
    assert (status == Round.Status.REVEALED) == (len(answers) == 2) == (revealed_at is not None)
    assert told == (2 if status == Round.Status.REVEALED else 0)


def test_the_sequences_reach_every_outcome():
    """So that the property above is not about nothing: the steps can answer, edit, reveal, be
    refused as closed and be refused as not found."""
    with transaction.atomic():
        people = {"me": UserFactory.create(), "partner": UserFactory.create(), "outsider": UserFactory.create()}
        couple = pair(people["me"], people["partner"])
        pair(people["outsider"], UserFactory.create())
        checkin_round = services.round_open(couple=couple, window_hours=48, now=T0)
        body = {"connection": 2, "independence": 4, "note": "", "private_note": ""}
        sequence = [("me", body), ("me", body), ("outsider", body), ("partner", body), ("me", body)]
        seen, state = run(people, checkin_round.pk, sequence)
        transaction.set_rollback(True)
    assert [s[1] if len(s) == 2 else "answered" for s in seen] == [
        "answered",
        "answered",
        "NoSuchRound",
        "answered",
        "RoundClosed",
    ]
    assert state[0] == Round.Status.REVEALED and state[3] == 2
