"""The quick read of an answer's body: an everyday PUT body's validated data, read without building
AnswerInputSerializer, with the serializer as the reference for everything else.

Building the serializer copies its fields on every request: measured, about a third of what an
answer cost the server beyond what every request costs (bench/RESULTS.md). This accepts only what
the serializer would take unchanged, so a body means the same whichever reads it:
tests/checkin/test_answer_body.py holds the two to the same result over generated bodies, and pins
the serializer's fields, so that a change to them fails until this is changed to match.
"""

import re
from datetime import datetime
from typing import Any

from checkin.patterns import HIGHEST, LOWEST
from checkin.serializers import NOTE_MAX

RATINGS = frozenset({"connection", "independence"})
NOTES = ("note", "private_note")
KEYS = RATINGS | set(NOTES) | {"made_at"}
# made_at as the app writes it (Date.prototype.toISOString: "2026-03-01T18:30:00.000Z"), or with
# an offset; other spellings the serializer may read are left to it.
EVERYDAY_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})", re.ASCII)


def plainly_valid(data: object) -> dict | None:
    """`data`'s validated_data when it is an everyday body: whole-number ratings in range, notes
    that need no trimming and, if there is one, a made_at as the app writes it; None otherwise,
    for the serializer to decide and to name what to fix."""
    if type(data) is not dict or not data.keys() <= KEYS or not data.keys() >= RATINGS:
        return None
    body: dict[str, Any] = {"note": "", "private_note": ""} | data
    for rating in RATINGS:
        # `type() is int`: not a bool (True would be 1), nor "3" or 3.0, which the serializer reads.
        if type(body[rating]) is not int or not LOWEST <= body[rating] <= HIGHEST:
            return None
    for note in NOTES:
        text = body[note]
        if type(text) is not str or len(text) > NOTE_MAX or text != text.strip() or "\x00" in text:
            return None
        try:
            text.encode()  # a lone surrogate cannot be encoded, and the serializer refuses it
        except UnicodeEncodeError:
            return None
    if "made_at" in body:
        made_at = _moment(body["made_at"])
        if made_at is None:
            return None
        body["made_at"] = made_at
    return body


def _moment(text: object) -> datetime | None:
    if type(text) is not str or not EVERYDAY_MOMENT.fullmatch(text):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:  # a 13th month, a 25th hour
        return None
    # Years far from ours are left to the serializer, which refuses those that overflow in UTC.
    return moment if 2000 <= moment.year <= 2100 else None
