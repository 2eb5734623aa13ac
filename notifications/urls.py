from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications", views.InboxView.as_view(), name="notifications"),
    path("notifications/read-all", views.NotificationReadAllView.as_view(), name="notifications-read-all"),
    path("notifications/preferences", views.PreferencesView.as_view(), name="notifications-preferences"),
    path("notifications/unsubscribe", views.unsubscribe, name="notifications-unsubscribe"),
    path("notifications/<int:notification_id>", views.NotificationDetailView.as_view(), name="notification-detail"),
    path("notifications/<int:notification_id>/read", views.NotificationReadView.as_view(), name="notification-read"),
    path("push/vapid-public-key", views.VapidPublicKeyView.as_view(), name="push-vapid-public-key"),
    path("push/subscriptions", views.PushSubscriptionsView.as_view(), name="push-subscriptions"),
    path(
        "push/subscriptions/<int:subscription_id>", views.PushSubscriptionDetailView.as_view(), name="push-subscription"
    ),
]
