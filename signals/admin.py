"""Admin for signals: when and of what kind, never what they say (an operator has no business
reading a couple's messages), and view-only, since signals change only through the services."""

from django.contrib import admin
from django.http import HttpRequest

from signals.models import Signal


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ["id", "couple", "sender", "kind", "created_at", "until", "ended_at", "withdrawn_at", "replied_at"]
    list_filter = ["kind"]
    fields = ["couple", "sender", "kind", "created_at", "until", "ended_at", "withdrawn_at", "reply", "replied_at"]
    raw_id_fields = ["couple", "sender"]

    def has_add_permission(self, request: HttpRequest, obj: Signal | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Signal | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Signal | None = None) -> bool:
        return False
