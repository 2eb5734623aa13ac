from django.urls import path

from tandem import views

urlpatterns = [
    path("me", views.MeView.as_view(), name="me"),
    path("me/export", views.ExportView.as_view(), name="me-export"),
    path("couple/join", views.JoinView.as_view(), name="couple-join"),
    path("couple/schedule", views.ScheduleView.as_view(), name="couple-schedule"),
    path("couple/leave", views.LeaveView.as_view(), name="couple-leave"),
]
