"""Admin for rounds and discussions. Answers are shown as counts: an operator has no business
reading ratings or notes, and a private note never leaves its author."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from checkin.models import Discussion, DiscussionNote, Flag, Round, SchedulerHeartbeat


class ViewOnly(admin.ModelAdmin):
    """Rounds and flags change only through the services, which keep their invariants."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(ViewOnly):
    list_display = ["id", "couple", "status", "opens_at", "closes_at", "revealed_at", "answers", "analysis_given_up_at"]
    list_filter = ["status", ("analysis_given_up_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["couple"]
    readonly_fields = [
        "analysed_at",
        "nudged_at",
        "analysis_handoffs",
        "analysis_handed_off_at",
        "analysis_given_up_at",
    ]

    @admin.display(description="answers")
    def answers(self, obj: Round) -> int:
        return obj.answers.count()


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    list_display = ["id", "couple", "kind", "status", "created_at", "resolved_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["couple", "checkin"]


@admin.register(Flag)
class FlagAdmin(ViewOnly):
    list_display = ["id", "round", "kind", "dimension"]
    list_filter = ["kind"]
    raw_id_fields = ["round", "about_user", "discussion"]


admin.site.register(SchedulerHeartbeat)
admin.site.register(
    DiscussionNote, raw_id_fields=["discussion", "author"], list_display=["id", "discussion", "created_at"]
)
