from django.urls import path

from couples import views

urlpatterns = [
    path("auth/register", views.RegisterView.as_view(), name="register"),
    path("auth/login", views.LoginView.as_view(), name="login"),
    path("auth/logout", views.LogoutView.as_view(), name="logout"),
    path("auth/csrf", views.CsrfView.as_view(), name="csrf"),
    path("me", views.MeView.as_view(), name="me"),
    path("me/export", views.ExportView.as_view(), name="me-export"),
    path("couple", views.CoupleView.as_view(), name="couple"),
    path("couple/invites", views.InviteView.as_view(), name="couple-invites"),
    path("couple/join", views.JoinView.as_view(), name="couple-join"),
    path("couple/schedule", views.ScheduleView.as_view(), name="couple-schedule"),
    path("couple/leave", views.LeaveView.as_view(), name="couple-leave"),
]
