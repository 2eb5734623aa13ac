"""Fast seeding of the bench database: N couples with COPY, and the API pass's couple with the ORM.

The herd: 2N users (one precomputed password hash), N couples, 2N memberships, N weekly
schedules in UTC whose occurrence is `due_at`, so that all N are due in the same minute, and a push
subscription for each person on the bench's push service (`<origin>/push/<person id>`; one browser
key pair for all of them: the keys are valid, and making 200,000 would take minutes for nothing). Rows go in
with PostgreSQL's COPY and explicit ids (then the identity sequences are moved past them): 100,000
couples take seconds, where the API or per-row saves would take an hour.

Needs Django set up (bench/run.py does it) on bench.settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

# The apps whose tables the bench empties between sizes (content types and permissions stay).
DATA_APPS = ("couples", "checkin", "notifications", "sessions", "admin")
PASSWORD = "bench-password-not-secret"
WINDOW_HOURS = 48


def truncate() -> None:
    """Empty every data table and restart their ids: each size starts from the same state."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in DATA_APPS
        }
    )
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def _copy(table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """COPY rows into `table` over Django's own psycopg connection (so in its transaction)."""
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _move_sequence_past(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


def browser_keys() -> tuple[str, str]:
    """(p256dh, auth) of a fresh browser subscription: a P-256 public point and a 16-byte secret."""
    import base64
    import os

    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    point = (
        ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    p256dh, auth = (base64.urlsafe_b64encode(raw).rstrip(b"=").decode() for raw in (point, os.urandom(16)))
    return p256dh, auth


def herd(*, couples: int, due_at: datetime, password_hash: str, push_origin: str) -> None:
    """N paired couples whose weekly schedule is due at `due_at` (UTC), none with a round yet; each
    person with an email address and a push subscription at `push_origin`."""
    due_at = due_at.astimezone(UTC)
    p256dh, auth = browser_keys()
    joined = due_at - timedelta(days=30)

    def users() -> Iterator[tuple]:
        for user_id in range(1, 2 * couples + 1):
            yield (
                user_id,
                password_hash,
                False,
                f"bench{user_id}@bench.tandem.invalid",
                f"User {user_id}",
                "UTC",
                True,
                False,
                joined,
                True,  # confirmed: the herd's emails go to every person
            )

    def couple_rows() -> Iterator[tuple]:
        for couple_id in range(1, couples + 1):
            yield (couple_id, joined)

    def memberships() -> Iterator[tuple]:
        for couple_id in range(1, couples + 1):
            yield (2 * couple_id - 1, couple_id, 2 * couple_id - 1, 1, joined)
            yield (2 * couple_id, couple_id, 2 * couple_id, 2, joined)

    def schedule_rows() -> Iterator[tuple]:
        # The schedule's own rule says "this weekday at this time, UTC": due_at is a real occurrence.
        local_time = time(due_at.hour, due_at.minute)
        for couple_id in range(1, couples + 1):
            yield (
                couple_id,
                couple_id,
                "weekly",
                due_at.weekday(),
                7,
                local_time,
                "UTC",
                WINDOW_HOURS,
                (joined).date(),
                due_at,
                joined,
            )

    def subscriptions() -> Iterator[tuple]:
        for user_id in range(1, 2 * couples + 1):
            yield (user_id, user_id, f"{push_origin}/push/{user_id}", p256dh, auth, joined)

    with transaction.atomic():
        _copy(
            "couples_user",
            (
                "id",
                "password",
                "is_superuser",
                "email",
                "display_name",
                "timezone",
                "is_active",
                "is_staff",
                "date_joined",
                "email_confirmed",
            ),
            users(),
        )
        _copy("couples_couple", ("id", "paired_at"), couple_rows())
        _copy("couples_membership", ("id", "couple_id", "user_id", "seat", "joined_at"), memberships())
        _copy(
            "couples_schedule",
            (
                "id",
                "couple_id",
                "cadence",
                "weekday",
                "interval_days",
                "local_time",
                "timezone",
                "window_hours",
                "anchor_date",
                "next_checkin_at",
                "updated_at",
            ),
            schedule_rows(),
        )
        _copy(
            "notifications_pushsubscription",
            ("id", "user_id", "endpoint", "p256dh", "auth", "created_at"),
            subscriptions(),
        )
        for table in (
            "couples_user",
            "couples_couple",
            "couples_membership",
            "couples_schedule",
            "notifications_pushsubscription",
        ):
            _move_sequence_past(table)
    analyze()


def analyze() -> None:
    """Fresh planner statistics, as autovacuum would have in production after a bulk change."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def precomputed_password_hash() -> str:
    return make_password(PASSWORD)


@dataclass(frozen=True)
class ApiCouple:
    token: str  # of the partner who calls the read endpoints
    open_round_id: int
    revealed_rounds: int


def api_couple(*, now: datetime, password_hash: str, revealed_rounds: int = 52) -> ApiCouple:
    """One couple with a year of weekly history (`revealed_rounds` revealed rounds, both answers
    each) and an open round that the calling partner has answered and the other has not (the PUT's
    callers are answer_mix's)."""
    from checkin.models import Answer, Round
    from couples import devices
    from couples.models import Couple, Membership, Schedule, User

    joined = now - timedelta(weeks=revealed_rounds + 2)
    with transaction.atomic():
        me, partner = User.objects.bulk_create(
            [
                User(
                    email="api-me@bench.tandem.invalid", display_name="Me", password=password_hash, date_joined=joined
                ),
                User(
                    email="api-partner@bench.tandem.invalid",
                    display_name="Partner",
                    password=password_hash,
                    date_joined=joined,
                ),
            ]
        )
        couple = Couple.objects.create(paired_at=joined)
        Membership.objects.bulk_create(
            [
                Membership(couple=couple, user=me, seat=Membership.Seat.INVITER, joined_at=joined),
                Membership(couple=couple, user=partner, seat=Membership.Seat.JOINER, joined_at=joined),
            ]
        )
        Schedule.objects.create(
            couple=couple,
            weekday=now.weekday(),
            local_time=time(now.hour, now.minute),
            anchor_date=joined.date(),
            window_hours=WINDOW_HOURS,
            next_checkin_at=now + timedelta(weeks=1),
            updated_at=joined,
        )
        history = []
        for week in range(revealed_rounds, 0, -1):
            opened = now - timedelta(weeks=week)
            history.append(
                Round(
                    couple=couple,
                    status=Round.Status.REVEALED,
                    scheduled_for=opened,
                    opens_at=opened,
                    closes_at=opened + timedelta(hours=WINDOW_HOURS),
                    nudge_at=opened + timedelta(hours=24),
                    revealed_at=opened + timedelta(hours=3),
                    closed_at=opened + timedelta(hours=3),
                    analysed_at=opened + timedelta(hours=3),
                )
            )
        history = Round.objects.bulk_create(history)
        current = _open_round(couple, now)
        current.save()
        answers = []
        for index, revealed in enumerate(history):
            for user, shift in ((me, 0), (partner, 2)):
                answers.append(
                    Answer(
                        round=revealed,
                        user=user,
                        connection=1 + (index + shift) % 5,
                        independence=1 + (index * 3 + shift) % 5,
                        note="A week like most.",
                        submitted_at=revealed.opens_at + timedelta(hours=1),
                        updated_at=revealed.opens_at + timedelta(hours=1),
                    )
                )
        answers.append(Answer(round=current, user=me, connection=3, independence=4, submitted_at=now, updated_at=now))
        Answer.objects.bulk_create(answers)
        key, _ = devices.token_issue(user=me)
    analyze()
    return ApiCouple(token=key, open_round_id=current.pk, revealed_rounds=revealed_rounds)


def _open_round(couple, now: datetime):
    """An unsaved round of `couple` that opened `now` and runs its whole window."""
    from checkin.models import Round

    return Round(
        couple=couple,
        status=Round.Status.OPEN,
        scheduled_for=now,
        opens_at=now,
        closes_at=now + timedelta(hours=WINDOW_HOURS),
        nudge_at=now + timedelta(hours=24),
    )


# The PUT mix (bench/README.md, section 3), in the order the requests take it: per 10 PUTs, 6 first
# answers (3 that reveal: the partner answered before) and 4 edits of an unrevealed answer.
FIRST, REVEAL, EDIT = "first", "reveal", "edit"
PUT_MIX = (FIRST, EDIT, REVEAL, FIRST, EDIT, REVEAL, FIRST, EDIT, REVEAL, EDIT)


@dataclass(frozen=True)
class MixTarget:
    """One PUT of the mix: `token`'s caller answers `round_id` as `kind` says. A first answer
    can be sent only once, so every target is a couple of its own, used once."""

    kind: str
    token: str
    round_id: int


def _copy_instances(model, instances: Iterable) -> None:
    """COPY unsaved model instances that carry their ids, every concrete column as the instance
    holds it (the Python defaults included)."""
    fields = model._meta.concrete_fields
    _copy(
        model._meta.db_table,
        tuple(str(field.column) for field in fields),
        (tuple(getattr(instance, field.attname) for field in fields) for instance in instances),
    )


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def answer_mix(*, now: datetime, password_hash: str, targets: int) -> tuple[MixTarget, ...]:
    """`targets` couples, each with an open round and a caller with a token, in PUT_MIX's order
    of kinds: a first answer's round has no answer, a reveal's has the partner's, an edit's has
    the caller's own. With COPY: 60,000 couples take seconds."""
    from checkin.models import Answer, Round
    from couples import devices
    from couples.models import Couple, Device, Membership, User

    joined = now - timedelta(days=30)
    kinds = [PUT_MIX[index % len(PUT_MIX)] for index in range(targets)]
    with transaction.atomic():
        user0, couple0, membership0, round0, answer0, device0 = (
            _next_id(model._meta.db_table) for model in (User, Couple, Membership, Round, Answer, Device)
        )
        _copy_instances(
            User,
            (
                User(
                    id=user0 + index,
                    email=f"api-mix-{index}@bench.tandem.invalid",
                    display_name=f"Mix {index}",
                    password=password_hash,
                    date_joined=joined,
                )
                for index in range(2 * targets)
            ),
        )
        _copy_instances(Couple, (Couple(id=couple0 + index, paired_at=joined) for index in range(targets)))
        _copy_instances(
            Membership,
            (
                Membership(
                    id=membership0 + 2 * index + offset,
                    couple_id=couple0 + index,
                    user_id=user0 + 2 * index + offset,
                    seat=seat,
                    joined_at=joined,
                )
                for index in range(targets)
                for offset, seat in enumerate((Membership.Seat.INVITER, Membership.Seat.JOINER))
            ),
        )

        def open_round(index: int) -> Round:
            opened = _open_round(None, now)
            opened.id, opened.couple_id = round0 + index, couple0 + index
            return opened

        _copy_instances(Round, (open_round(index) for index in range(targets)))
        # The caller is the couple's first person; a reveal's partner, an edit's caller answered.
        answered = [(index, 1 if kind == REVEAL else 0) for index, kind in enumerate(kinds) if kind != FIRST]
        _copy_instances(
            Answer,
            (
                Answer(
                    id=answer0 + number,
                    round_id=round0 + index,
                    user_id=user0 + 2 * index + offset,
                    connection=3,
                    independence=4,
                    submitted_at=now,
                    updated_at=now,
                )
                for number, (index, offset) in enumerate(answered)
            ),
        )
        keys = [devices.token_key_new() for _ in range(targets)]
        _copy_instances(
            Device,
            (
                Device(
                    id=device0 + index,
                    user_id=user0 + 2 * index,
                    kind=Device.Kind.TOKEN,
                    token_digest=devices.token_digest(key),
                    created_at=now,
                    last_used_at=now,
                )
                for index, key in enumerate(keys)
            ),
        )
        for model in (User, Couple, Membership, Round, Answer, Device):
            _move_sequence_past(model._meta.db_table)
    analyze()
    return tuple(
        MixTarget(kind=kind, token=key, round_id=round0 + index)
        for index, (kind, key) in enumerate(zip(kinds, keys, strict=True))
    )


def open_apps(*, couples: int, open_couples: int, now: datetime) -> list[dict]:
    """A token for both people of `open_couples` of the herd's couples, spread evenly over them (so
    over the herd's order of sending): the people whose app is open (bench/open_apps.py)."""
    from couples import devices
    from couples.models import Device

    step = max(1, couples // max(1, open_couples))
    couple_ids = list(range(1, couples + 1, step))[:open_couples]
    people = [person for couple_id in couple_ids for person in (2 * couple_id - 1, 2 * couple_id)]
    keys = [devices.token_key_new() for _ in people]
    with transaction.atomic():
        device0 = _next_id(Device._meta.db_table)
        tokens = (
            Device(
                id=device0 + index,
                user_id=person,
                kind=Device.Kind.TOKEN,
                token_digest=devices.token_digest(key),
                created_at=now,
                last_used_at=now,
            )
            for index, (person, key) in enumerate(zip(people, keys, strict=True))
        )
        _copy_instances(Device, tokens)
        _move_sequence_past(Device._meta.db_table)
    return [{"id": person, "token": key} for person, key in zip(people, keys, strict=True)]
