"""The shapes of rounds, answers, trends and discussions at the HTTP edge.

What a reader may see is decided in checkin/selectors.py; these only describe and render it.
"""

from datetime import date
from typing import Any, Literal, cast

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from checkin.models import Answer, Discussion, DiscussionNote, Flag, Round
from checkin.patterns import HIGHEST, LOWEST, PATTERNS
from checkin.rules import KINDS
from checkin.selectors import RoundView
from foundation.serializers import MomentField, StrictSerializer

NOTE_MAX = 2000


# The schema keeps the contract's word ("response") for its component names.
@extend_schema_serializer(component_name="ResponseInput")
class AnswerInputSerializer(StrictSerializer):
    connection = serializers.IntegerField(
        min_value=LOWEST,
        max_value=HIGHEST,
        help_text="Am I getting enough connection from us? 1 = not at all, 5 = fully.",
    )
    independence = serializers.IntegerField(
        min_value=LOWEST, max_value=HIGHEST, help_text="Am I getting enough independence? 1 = not at all, 5 = fully."
    )
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    private_note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    made_at = MomentField(
        required=False,
        help_text="When the person made this answer on their device (ISO 8601 with its offset). Of two edits the "
        "one made later is kept, whichever arrives last; an older one is answered 200 with the answer that stays. "
        "Counted as no later than the server's clock and no earlier than the round's `opens_at`; left out, the "
        "answer counts as made when the server receives it.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # IntegerField accepts "3" and 3.0; a fractional rating is a mistake worth naming.
        for field in ("connection", "independence"):
            raw = self.initial_data.get(field)
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise serializers.ValidationError({field: ["A whole number from 1 to 5 is required."]})
        return attrs


# The schema keeps the contract's word ("response") for its component names.
@extend_schema_serializer(component_name="OwnResponse")
class OwnAnswerSerializer(serializers.Serializer):
    connection = serializers.IntegerField()
    independence = serializers.IntegerField()
    note = serializers.CharField()
    private_note = serializers.CharField(help_text="Only ever shown to its author.")
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    made_at = serializers.DateTimeField(
        help_text="When this answer was made, as the server counts it (see the request's `made_at`). Only ever "
        "shown to its author."
    )


# The schema keeps the contract's word ("response") for its component names.
@extend_schema_serializer(component_name="SharedResponse")
class SharedAnswerSerializer(serializers.Serializer):
    connection = serializers.IntegerField()
    independence = serializers.IntegerField()
    note = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


_REMOVED = (
    "True where this person answered but took their answers along when they left the couple "
    "(POST /couple/leave with remove_my_answers): `response` is null for good."
)


class MySideSerializer(serializers.Serializer):
    answered = serializers.BooleanField()
    response = OwnAnswerSerializer(source="answer", allow_null=True)
    removed = serializers.BooleanField(help_text=_REMOVED)


class PartnerSideSerializer(serializers.Serializer):
    display_name = serializers.CharField(
        allow_null=True,
        help_text="The partner of this round's couple (a couple that ended too); null once their account is deleted.",
    )
    answered = serializers.BooleanField()
    response = SharedAnswerSerializer(source="answer", allow_null=True, help_text="null until the round is revealed.")
    removed = serializers.BooleanField(help_text=_REMOVED)


class PatternsSerializer(serializers.Serializer):
    me = serializers.ChoiceField(choices=PATTERNS)
    partner = serializers.ChoiceField(choices=PATTERNS)


class FlagSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    dimension = serializers.ChoiceField(choices=["connection", "independence"], allow_null=True)
    summary = serializers.CharField()
    discussion_id = serializers.IntegerField(allow_null=True)


class RoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Round.Status.choices)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    revealed_at = serializers.DateTimeField(allow_null=True)
    analysed_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the revealed answers were compared; until then `flags` is empty because nothing was "
        "looked at yet, not because nothing stands out.",
    )
    me = MySideSerializer()
    partner = PartnerSideSerializer()
    patterns = PatternsSerializer(allow_null=True)
    flags = FlagSerializer(many=True)


class ExportedRoundSerializer(RoundSerializer):
    """A round in the export: as its reader sees it, and the couple it was of."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"couple_id": serializers.IntegerField(), **super().get_fields()}


class ExportedDiscussionNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiscussionNote
        fields = ["discussion_id", "text", "created_at"]
        read_only_fields = fields


# One instance of each is bound once and reused: building a serializer copies its fields on every
# request, which would cost more than the shaping itself.
_ROUND = RoundSerializer()
_OWN_ANSWER = OwnAnswerSerializer()


def round_shaped(view: RoundView) -> dict[str, Any]:
    """A round view (checkin.selectors.round_view) in the API's shape."""
    return _ROUND.to_representation(view)


def own_answer_shaped(answer: Answer) -> dict[str, Any]:
    """The caller's answer in the API's shape, as PUT .../response returns it."""
    return _OWN_ANSWER.to_representation(answer)


# The dates trends may be asked for. No round is older than 2000 or later than 2100, and inside
# these a date's next day and its midnight in any time zone stay far from the years 1 and 9999
# where Python's dates end (where they would raise OverflowError: a 500).
TRENDS_FIRST_DATE = date(2000, 1, 1)
TRENDS_LAST_DATE = date(2100, 12, 31)
TRENDS_DATES = f"from {TRENDS_FIRST_DATE} to {TRENDS_LAST_DATE}"


def _a_trends_date(value: date) -> None:
    if not TRENDS_FIRST_DATE <= value <= TRENDS_LAST_DATE:
        raise serializers.ValidationError(f"Choose a date {TRENDS_DATES}.")


class TrendsQuerySerializer(StrictSerializer):
    to = serializers.DateField(
        required=False, validators=[_a_trends_date], help_text="Last local date included (YYYY-MM-DD)."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # `from` is a Python keyword, so it cannot be declared as a class attribute.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, validators=[_a_trends_date], help_text="First local date included (YYYY-MM-DD)."
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": ["'to' must be on or after 'from'."]})
        return attrs


class SeriesPointSerializer(serializers.Serializer):
    round_id = serializers.IntegerField()
    revealed_at = serializers.DateTimeField()
    connection = serializers.IntegerField()
    independence = serializers.IntegerField()
    pattern = serializers.ChoiceField(choices=PATTERNS)


class SeriesSerializer(serializers.Serializer):
    me = SeriesPointSerializer(many=True)
    partner = SeriesPointSerializer(many=True)


class GapSerializer(serializers.Serializer):
    round_id = serializers.IntegerField()
    revealed_at = serializers.DateTimeField()
    connection = serializers.IntegerField(help_text="My rating minus my partner's.")
    independence = serializers.IntegerField(help_text="My rating minus my partner's.")


class PatternCountsSerializer(serializers.Serializer):
    integrated = serializers.IntegerField()
    engulfed = serializers.IntegerField()
    isolated = serializers.IntegerField()
    adrift = serializers.IntegerField()


class PatternCountsBySideSerializer(serializers.Serializer):
    me = PatternCountsSerializer()
    partner = PatternCountsSerializer()


class FlaggedRoundSerializer(serializers.Serializer):
    round_id = serializers.IntegerField()
    revealed_at = serializers.DateTimeField()
    flags = FlagSerializer(many=True)


class TrendsSerializer(serializers.Serializer):
    to = serializers.DateField(source="period.end", allow_null=True)
    rounds = serializers.IntegerField(help_text="Revealed rounds in the range.")
    series = SeriesSerializer()
    gaps = GapSerializer(many=True)
    pattern_counts = PatternCountsBySideSerializer()
    flagged_rounds = FlaggedRoundSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(source="period.start", allow_null=True)
        return fields


class DiscussionNoteSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = DiscussionNote
        fields = ["id", "author", "text", "created_at"]

    def get_author(self, note: DiscussionNote) -> dict[str, Any] | None:
        if note.author is None:
            return None
        return {"id": note.author_id, "display_name": note.author.display_name}


class DiscussionPointSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    dimension = serializers.SerializerMethodField()
    summary = serializers.CharField()

    def get_dimension(self, flag: Flag) -> Literal["connection", "independence"] | None:
        # A flag's dimension is one of the two, or "" where its kind spans both (rules.py writes them).
        return cast(Literal["connection", "independence"] | None, flag.dimension or None)


class DiscussionSerializer(serializers.ModelSerializer):
    checkin_id = serializers.IntegerField()
    points = DiscussionPointSerializer(
        many=True,
        read_only=True,
        help_text="Every flag of its check-in (and of later ones that came back to it), the leading one first.",
    )
    notes = DiscussionNoteSerializer(many=True, read_only=True)

    class Meta:
        model = Discussion
        fields = [
            "id",
            "kind",
            "summary",
            "prompt",
            "points",
            "checkin_id",
            "status",
            "notes",
            "created_at",
            "resolved_at",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        # `read_only` names an attribute of every serializer, so it cannot be declared as a class
        # attribute. Annotated by checkin.selectors.discussions_of.
        fields = super().get_fields()
        fields["read_only"] = serializers.BooleanField(
            read_only=True, help_text="Its couple has ended: it can be read, not added to or resolved (409)."
        )
        return fields


class DiscussionNoteInputSerializer(StrictSerializer):
    text = serializers.CharField(max_length=NOTE_MAX)


class DiscussionFilterSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=Discussion.Status.choices, required=False)
    page = serializers.IntegerField(min_value=1, required=False)
