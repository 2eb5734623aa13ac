"""Check-in rounds and the partners' answers to them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.timezone import now

from checkin.patterns import HIGHEST, LOWEST
from checkin.rules import importance
from couples.models import Couple


class Round(models.Model):
    """One check-in of one couple, from opening to reveal or expiry."""

    class Status(models.TextChoices):
        OPEN = "open"
        REVEALED = "revealed"  # both answered
        EXPIRED = "expired"  # closed with fewer than two answers

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="rounds")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # The schedule occurrence that opened it; null for "check in now". Unique per couple, so two
    # ticks that both saw the same due schedule cannot open it twice.
    scheduled_for = models.DateTimeField(null=True, blank=True)
    opens_at = models.DateTimeField(default=now)
    closes_at = models.DateTimeField()
    nudge_at = models.DateTimeField()
    nudged_at = models.DateTimeField(null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    # The analysis is handed to the workers at the reveal and again by the tick's sweep while it
    # has not run, a few times in all, further apart each time (checkin/scheduler.py); then it is
    # given up, and that is recorded here for the operator.
    analysis_handoffs = models.PositiveSmallIntegerField(
        default=0, help_text="How often the sweep handed the analysis to the workers again after the reveal."
    )
    analysis_handed_off_at = models.DateTimeField(null=True, blank=True)
    analysis_given_up_at = models.DateTimeField(
        null=True, blank=True, help_text="The analysis kept failing (or never ran) and is no longer retried."
    )
    # Neither written nor read any more (it counted changes for a cache of the round views, which
    # did not pay): kept for one release, as the servers of the release before still add to it
    # while both run; the next release drops it.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["couple"], condition=Q(status="open"), name="one_open_round_per_couple"),
            models.UniqueConstraint(fields=["couple", "scheduled_for"], name="one_round_per_scheduled_occurrence"),
            models.CheckConstraint(condition=Q(status__in=["open", "revealed", "expired"]), name="round_status_known"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="round_closes_after_it_opens"),
            models.CheckConstraint(
                condition=Q(status="revealed", revealed_at__isnull=False)
                | (~Q(status="revealed") & Q(revealed_at__isnull=True)),
                name="round_revealed_at_iff_revealed",
            ),
        ]
        indexes = [
            # History: "this couple's rounds, newest first".
            models.Index(fields=["couple", "-opens_at"], name="round_history_idx"),
            # The tick: "open rounds whose window has ended".
            models.Index(fields=["closes_at"], condition=Q(status="open"), name="round_open_closes_idx"),
            # The tick: "open rounds due a nudge".
            models.Index(
                fields=["nudge_at"], condition=Q(status="open", nudged_at__isnull=True), name="round_nudge_due_idx"
            ),
            # The sweep: "revealed rounds not analysed yet (and not given up)".
            models.Index(
                fields=["revealed_at"],
                condition=Q(status="revealed", analysed_at__isnull=True, analysis_given_up_at__isnull=True),
                name="round_unanalysed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Round {self.pk} of couple {self.couple_id} ({self.status})"


class Answer(models.Model):
    """One partner's answer to a round (the API calls it their `response`). `private_note` never leaves its author."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers")
    connection = models.PositiveSmallIntegerField()
    independence = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True, default="")
    private_note = models.TextField(blank=True, default="")
    submitted_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    # When the person made this version on their device, as checkin.services.answer_submit counts it (never
    # before the round opened nor after the server received it): of two edits, the later made
    # is kept, whichever arrives last. The database's default lets a server of the version before
    # it go on answering while the new one is rolled out.
    made_at = models.DateTimeField(default=now, db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_answer_per_partner_per_round"),
            models.CheckConstraint(
                condition=Q(connection__gte=LOWEST, connection__lte=HIGHEST), name="answer_connection_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(independence__gte=LOWEST, independence__lte=HIGHEST), name="answer_independence_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        # Never the ratings or the notes: this shows up in admin pages and logs.
        return f"Answer {self.pk} to round {self.round_id}"


class SchedulerHeartbeat(models.Model):
    """When the tick last completed, so /healthz can tell that reminders have stopped."""

    name = models.CharField(max_length=32, unique=True)
    completed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.completed_at:%Y-%m-%d %H:%M:%S}"


class Discussion(models.Model):
    """What a check-in showed worth talking about: one per check-in at most, led by its most
    important flag (checkin/rules.py, IMPORTANCE), every flag of it a point. A later check-in
    led by the same kind adds to the open discussion of that kind instead of opening a twin."""

    class Status(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved"

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="discussions")
    kind = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    summary = models.CharField(max_length=400)
    prompt = models.CharField(max_length=400)
    checkin = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+", help_text="The round that opened it (one discussion each)."
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["couple", "kind"], condition=Q(status="open"), name="one_open_discussion_per_kind"
            ),
            models.UniqueConstraint(fields=["checkin"], name="one_discussion_per_checkin"),
            models.CheckConstraint(
                condition=Q(status="resolved", resolved_at__isnull=False) | Q(status="open", resolved_at__isnull=True),
                name="discussion_resolved_at_iff_resolved",
            ),
        ]
        indexes = [
            # The list endpoint: "this couple's discussions, newest first".
            models.Index(fields=["couple", "-created_at"], name="discussion_list_idx"),
        ]

    def __str__(self) -> str:
        return f"Discussion {self.pk} ({self.kind}, {self.status})"

    @property
    def points(self) -> list["Flag"]:
        """Its flags: the latest check-in's first, each check-in's most important first, and a
        finding that came up again (same kind, dimension and words) once. Reads `flags` as loaded
        (checkin/selectors.py prefetches them)."""
        seen: set[tuple[str, str, str]] = set()
        points = []
        for flag in sorted(self.flags.all(), key=lambda f: (-f.round_id, importance(f.kind, f.dimension), f.pk)):
            if (finding := (flag.kind, flag.dimension, flag.summary)) not in seen:
                seen.add(finding)
                points.append(flag)
        return points


class Flag(models.Model):
    """One finding of the analysis of a revealed round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=32)
    # "" where the kind spans both dimensions (the API shows null).
    dimension = models.CharField(max_length=16, blank=True, default="")
    # The partner the finding is about ("" for both): persistent and drop name one person.
    # A finding about a person goes with their account.
    about_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    summary = models.CharField(max_length=400)
    discussion = models.ForeignKey(Discussion, null=True, blank=True, on_delete=models.SET_NULL, related_name="flags")

    class Meta:
        constraints = [
            # Running the analysis twice for a round changes nothing the second time.
            models.UniqueConstraint(
                fields=["round", "kind", "dimension", "about_user"], name="one_flag_per_finding_about_a_partner"
            ),
            models.UniqueConstraint(
                fields=["round", "kind", "dimension"],
                condition=Q(about_user__isnull=True),
                name="one_flag_per_finding_about_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on round {self.round_id}"


class DiscussionNote(models.Model):
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="notes")
    # A note is its author's words: it goes with their account.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"Note {self.pk} on discussion {self.discussion_id}"
