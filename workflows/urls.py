from django.urls import path

from workflows import views

urlpatterns = [
    path("auth/register", views.RegisterView.as_view(), name="register"),
    path("auth/password-reset", views.PasswordResetView.as_view(), name="password-reset"),
    path("auth/confirm-email", views.EmailConfirmView.as_view(), name="confirm-email"),
    path("me", views.MeView.as_view(), name="me"),
    path("me/email", views.EmailView.as_view(), name="me-email"),
    path("me/email/confirmation", views.EmailConfirmationView.as_view(), name="me-email-confirmation"),
    path("me/export", views.ExportView.as_view(), name="me-export"),
    path("couple/join", views.JoinView.as_view(), name="couple-join"),
    path("couple/schedule", views.ScheduleView.as_view(), name="couple-schedule"),
    path("couple/leave", views.LeaveView.as_view(), name="couple-leave"),
]
