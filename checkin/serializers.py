"""The shapes of rounds, responses, trends and discussions at the HTTP edge.

What a reader may see is decided in checkin/selectors.py; these only describe and render it.
"""

from typing import Any

from rest_framework import serializers

from checkin.models import Discussion, DiscussionNote
from checkin.patterns import HIGHEST, LOWEST, PATTERNS
from checkin.rules import KINDS
from config.serializers import StrictSerializer

NOTE_MAX = 2000


class ResponseInputSerializer(StrictSerializer):
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

    _RATINGS = frozenset({"connection", "independence"})
    _ANSWER_KEYS = _RATINGS | {"note", "private_note"}

    @classmethod
    def plainly_valid(cls, data: object) -> dict | None:
        """`data`'s validated_data, read without building the serializer, when it is an everyday
        body: whole-number ratings in range and notes that need no trimming; None otherwise, for
        the serializer to decide and to name what to fix.

        Building the serializer copies its fields on every request: measured, about a third of
        what an answer costs the server beyond what every request costs. This accepts only what
        the serializer would take unchanged (tests/checkin/test_answer_body.py holds the two to
        the same result), so a body means the same whichever reads it.
        """
        if type(data) is not dict or not data.keys() <= cls._ANSWER_KEYS or not data.keys() >= cls._RATINGS:
            return None
        answer: dict[str, Any] = {"note": "", "private_note": ""} | data
        for rating in cls._RATINGS:
            # `type() is int`: not a bool (True would be 1), nor "3" or 3.0, which the serializer reads.
            if type(answer[rating]) is not int or not LOWEST <= answer[rating] <= HIGHEST:
                return None
        for note in ("note", "private_note"):
            text = answer[note]
            if type(text) is not str or len(text) > NOTE_MAX or text != text.strip() or "\x00" in text:
                return None
            try:
                text.encode()  # a lone surrogate cannot be encoded, and the serializer refuses it
            except UnicodeEncodeError:
                return None
        return answer

    def validate(self, attrs):
        # IntegerField accepts "3" and 3.0; a fractional rating is a mistake worth naming.
        for field in ("connection", "independence"):
            raw = self.initial_data.get(field)
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise serializers.ValidationError({field: ["A whole number from 1 to 5 is required."]})
        return attrs


class OwnResponseSerializer(serializers.Serializer):
    connection = serializers.IntegerField()
    independence = serializers.IntegerField()
    note = serializers.CharField()
    private_note = serializers.CharField(help_text="Only ever shown to its author.")
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SharedResponseSerializer(serializers.Serializer):
    connection = serializers.IntegerField()
    independence = serializers.IntegerField()
    note = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class MySideSerializer(serializers.Serializer):
    answered = serializers.BooleanField()
    response = OwnResponseSerializer(allow_null=True)


class PartnerSideSerializer(serializers.Serializer):
    answered = serializers.BooleanField()
    response = SharedResponseSerializer(allow_null=True, help_text="null until the round is revealed.")


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
    status = serializers.ChoiceField(choices=["open", "revealed", "expired"])
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


class TrendsQuerySerializer(StrictSerializer):
    to = serializers.DateField(required=False, help_text="Last local date included (YYYY-MM-DD).")

    def get_fields(self):
        # `from` is a Python keyword, so it cannot be declared as a class attribute.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text="First local date included (YYYY-MM-DD).")
        return fields

    def validate(self, attrs):
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
    to = serializers.DateField(allow_null=True)
    rounds = serializers.IntegerField(help_text="Revealed rounds in the range.")
    series = SeriesSerializer()
    gaps = GapSerializer(many=True)
    pattern_counts = PatternCountsBySideSerializer()
    flagged_rounds = FlaggedRoundSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(allow_null=True)
        return fields


class DiscussionNoteSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = DiscussionNote
        fields = ["id", "author", "text", "created_at"]

    def get_author(self, note) -> dict | None:
        if note.author is None:
            return None
        return {"id": note.author_id, "display_name": note.author.display_name}


class DiscussionSerializer(serializers.ModelSerializer):
    checkin_id = serializers.IntegerField()
    notes = DiscussionNoteSerializer(many=True, read_only=True)

    class Meta:
        model = Discussion
        fields = ["id", "kind", "summary", "prompt", "checkin_id", "status", "notes", "created_at", "resolved_at"]


class DiscussionNoteInputSerializer(StrictSerializer):
    text = serializers.CharField(max_length=NOTE_MAX)


class DiscussionFilterSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=Discussion.Status.choices, required=False)
    page = serializers.IntegerField(min_value=1, required=False)
