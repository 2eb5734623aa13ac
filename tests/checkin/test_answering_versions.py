"""The two versions of answering (checkin/answering.py) agree: the plain ORM reference and the
written-out statement PostgreSQL runs end every random sequence of answers, edits, the partner's
answers, an outsider's answers, the window ending (before and after the tick closes the round) and
the couple ending in the same outcomes and
the same rows."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkin import answering, services
from checkin.errors import NoSuchRound, RoundClosed
from checkin.models import Answer, Round
from notifications.models import Notification
from tandem import services as tandem_services
from tests.builders import pair
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(hours=48)
VERSIONS = {"reference": answering.answer_plainly, "one statement": answering.answer_in_one_statement}

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


def run(version, people, round_id: int, sequence) -> list:
    """Play `sequence` with `version` answering; what each step gave, then the rows it left."""
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
                    tandem_services.couple_leave(user=people["me"])
                    seen.append(("ended",))
                except Exception as error:
                    seen.append(("not ended", type(error).__name__))
            else:
                try:
                    with transaction.atomic():
                        made = version(user=people[step], round_id=round_id, body=body, now=now)
                    seen.append((step, *(getattr(made, field) for field in (*answering.BODY_FIELDS, "updated_at"))))
                except (NoSuchRound, RoundClosed) as error:
                    seen.append((step, type(error).__name__))
    checkin_round = Round.objects.get(pk=round_id)
    answers = sorted(
        (a.user.email, *(getattr(a, f) for f in (*answering.BODY_FIELDS, "submitted_at", "updated_at")))
        for a in Answer.objects.filter(round_id=round_id).select_related("user")
    )
    told = Notification.objects.filter(kind=Notification.Kind.RESULTS_READY).count()
    state = (checkin_round.status, checkin_round.revealed_at, checkin_round.version, answers, told)
    return [seen, state]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_the_statement_and_the_plain_reference_end_every_sequence_alike(sequence):
    with transaction.atomic():
        people = {"me": UserFactory.create(), "partner": UserFactory.create(), "outsider": UserFactory.create()}
        couple = pair(people["me"], people["partner"])
        pair(people["outsider"], UserFactory.create())
        checkin_round = services.round_open(couple=couple, window_hours=48, now=T0)
        results = {}
        for name, version in VERSIONS.items():
            with transaction.atomic():
                results[name] = run(version, people, checkin_round.pk, sequence)
                transaction.set_rollback(True)  # the next version starts from the same rows
        transaction.set_rollback(True)
    assert results["one statement"] == results["reference"]


def test_the_sequences_reach_every_outcome():
    """So that agreement is not agreement on nothing: the steps above can answer, edit, reveal,
    be refused as closed and be refused as not found."""
    with transaction.atomic():
        people = {"me": UserFactory.create(), "partner": UserFactory.create(), "outsider": UserFactory.create()}
        couple = pair(people["me"], people["partner"])
        pair(people["outsider"], UserFactory.create())
        checkin_round = services.round_open(couple=couple, window_hours=48, now=T0)
        body = {"connection": 2, "independence": 4, "note": "", "private_note": ""}
        sequence = [("me", body), ("me", body), ("outsider", body), ("partner", body), ("me", body)]
        seen, state = run(answering.answer_in_one_statement, people, checkin_round.pk, sequence)
        transaction.set_rollback(True)
    assert [s[1] if len(s) == 2 else "answered" for s in seen] == [
        "answered",
        "answered",
        "NoSuchRound",
        "answered",
        "RoundClosed",
    ]
    assert state[0] == Round.Status.REVEALED and state[4] == 2
