from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from couples.models import Couple, Invite, Membership, Schedule, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "timezone", "is_staff", "date_joined"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "timezone"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


class ScheduleInline(admin.StackedInline):
    model = Schedule
    extra = 0


@admin.register(Couple)
class CoupleAdmin(admin.ModelAdmin):
    list_display = ["id", "paired_at", "ended_at"]
    list_filter = ["ended_at"]
    inlines = [MembershipInline, ScheduleInline]


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ["id", "inviter", "created_at", "expires_at", "used_at"]
    raw_id_fields = ["inviter", "couple"]
    readonly_fields = ["code_hash"]


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["couple", "cadence", "weekday", "interval_days", "local_time", "timezone", "next_checkin_at"]
    raw_id_fields = ["couple"]
