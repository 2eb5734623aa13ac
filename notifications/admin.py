from django.contrib import admin

from notifications.models import Delivery, Notification, Preferences, PushSubscription


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "notification", "channel", "status", "attempts", "due_at", "sent_at"]
    list_filter = ["channel", "status"]
    raw_id_fields = ["notification", "subscription"]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "created_at"]
    raw_id_fields = ["user"]


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "push", "email", "quiet_hours_start", "quiet_hours_end", "paused_until"]
    raw_id_fields = ["user"]
