"""An answer's body is read quickly when it is an everyday one, and then means exactly what the
serializer would make of it; anything else is left to the serializer, which names what to fix."""

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import example, given, settings
from hypothesis import strategies as st

from checkin import answer_body
from checkin.serializers import NOTE_MAX, AnswerInputSerializer

# Characters the serializer treats specially: whitespace it trims, the null character and a lone
# surrogate it refuses; and some it keeps as they are.
AWKWARD = [" ", "\t", "\n", "\u00a0", "\x00", "\ud800", "é", "✓", "a", "Z", '"']

# Half the ratings are good ones, so that most bodies get as far as their notes.
ratings = st.one_of(
    st.integers(min_value=1, max_value=5),
    st.one_of(
        st.integers(min_value=-2, max_value=8),
        st.booleans(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(["3", "3.0", " 4", "five", ""]),
        st.none(),
        st.lists(st.integers(1, 5), max_size=1),
    ),
)
notes = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=st.sampled_from(AWKWARD), max_size=6),
    st.sampled_from(["x" * NOTE_MAX, "x" * (NOTE_MAX + 1), " " + "x" * NOTE_MAX]),
    st.one_of(st.integers(), st.floats(), st.booleans(), st.none()),
)
# A moment as the app writes it (toISOString, in UTC to the millisecond), in other offsets and
# precisions, and spellings the serializer reads differently, refuses, or cannot hold in UTC.
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2110, 1, 1))
offsets = st.sampled_from([UTC, timezone(timedelta(hours=3)), timezone(-timedelta(hours=9, minutes=30))])
everyday_moments = instants.map(lambda moment: moment.isoformat(timespec="milliseconds") + "Z")
moments = st.one_of(
    everyday_moments,
    st.builds(lambda moment, offset: moment.replace(tzinfo=offset).isoformat(), instants, offsets),
    instants.map(lambda moment: moment.isoformat()),  # no offset
    st.sampled_from(
        [
            "2026-03-01T18:30:00.1234567Z",
            "2026-03-01 18:30:00Z",
            "2026-03-01T18:30:00+0100",
            "2026-03-01T18:30Z",
            "2026-13-01T18:30:00Z",
            "2026-03-01T24:00:00Z",
            "2026-03-01T18:30:00+24:00",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "2026-03-01",
            "",
        ]
    ),
    st.one_of(st.integers(), st.none(), st.booleans()),
)
answers = st.fixed_dictionaries(
    {"connection": ratings, "independence": ratings},
    optional={"note": notes, "private_note": notes, "made_at": moments, "mood": st.text(max_size=3)},
)
bodies = st.one_of(
    answers,
    answers.map(lambda body: {key: value for key, value in body.items() if key != "independence"}),
    st.lists(st.integers(), max_size=2),
    st.text(max_size=3),
    st.none(),
)


@settings(max_examples=500)
@given(bodies)
# Each thing the serializer refuses or changes in a body whose ratings are good, for certain:
@example({"connection": 3, "independence": 4, "note": " padded "})
@example({"connection": 3, "independence": 4, "note": "a\x00b"})
@example({"connection": 3, "independence": 4, "private_note": "a\ud800b"})
@example({"connection": 3, "independence": 4, "note": "x" * (NOTE_MAX + 1)})
@example({"connection": 3, "independence": 4, "note": 7})
@example({"connection": 3, "independence": 4, "note": None})
@example({"connection": True, "independence": 4})
@example({"connection": 3, "independence": 6})
@example({"connection": 3, "independence": 4, "mood": "fine"})
@example({"connection": 3})
@example({"connection": 3, "independence": 4, "made_at": "2026-03-01T18:30:00"})
@example({"connection": 3, "independence": 4, "made_at": "0001-01-01T00:00:00+01:00"})
@example({"connection": 3, "independence": 4, "made_at": "2026-03-01T18:30:00.000+02:00"})
@example({"connection": 3, "independence": 4, "made_at": None})
def test_a_body_read_quickly_is_read_as_the_serializer_reads_it(body):
    quick = answer_body.plainly_valid(body)
    form = AnswerInputSerializer(data=body)
    if quick is not None:
        assert form.is_valid(), form.errors
        assert quick == dict(form.validated_data)


plain_notes = st.text(max_size=40).filter(lambda text: text == text.strip() and "\x00" not in text)


@given(
    connection=st.integers(min_value=1, max_value=5),
    independence=st.integers(min_value=1, max_value=5),
    notes=st.fixed_dictionaries({}, optional={"note": plain_notes, "private_note": plain_notes}),
    made=st.fixed_dictionaries({}, optional={"made_at": everyday_moments.filter(lambda text: "2000" <= text < "2101")}),
)
def test_an_everyday_answer_is_read_quickly(connection, independence, notes, made):
    body = {"connection": connection, "independence": independence, **notes, **made}
    form = AnswerInputSerializer(data=body)
    assert form.is_valid(), form.errors
    assert answer_body.plainly_valid(body) == dict(form.validated_data)


# The serializer the quick read mirrors, as it was when the quick read was written to match it. A
# change to any of its fields, or a new one, fails here: change checkin/answer_body.py to match,
# then this.
MIRRORED_FIELDS: dict[str, tuple[str, bool, dict[str, object]]] = {
    "connection": ("IntegerField", True, {"min_value": 1, "max_value": 5}),
    "independence": ("IntegerField", True, {"min_value": 1, "max_value": 5}),
    "note": ("CharField", False, {"max_length": 2000, "allow_blank": True, "trim_whitespace": True, "default": ""}),
    "private_note": (
        "CharField",
        False,
        {"max_length": 2000, "allow_blank": True, "trim_whitespace": True, "default": ""},
    ),
    "made_at": ("MomentField", False, {"allow_null": False}),
}


def test_the_serializer_the_quick_read_mirrors_has_not_changed():
    fields = AnswerInputSerializer().fields
    assert set(fields) == set(MIRRORED_FIELDS) == answer_body.KEYS
    for name, (kind, required, options) in MIRRORED_FIELDS.items():
        field = fields[name]
        assert (type(field).__name__, field.required) == (kind, required), name
        for option, value in options.items():
            assert getattr(field, option) == value, (name, option)
    assert AnswerInputSerializer.validate.__qualname__ == "AnswerInputSerializer.validate"
