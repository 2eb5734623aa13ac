from django.urls import path

from checkin import views

urlpatterns = [
    path("checkins", views.CheckinListView.as_view(), name="checkins"),
    path("checkins/current", views.CheckinCurrentView.as_view(), name="checkins-current"),
    path("checkins/trends", views.CheckinTrendsView.as_view(), name="checkins-trends"),
    path("checkins/<int:round_id>", views.CheckinDetailView.as_view(), name="checkin-detail"),
    path("checkins/<int:round_id>/response", views.CheckinAnswerView.as_view(), name="checkin-answer"),
    path("discussions", views.DiscussionListView.as_view(), name="discussions"),
    path("discussions/<int:discussion_id>", views.DiscussionDetailView.as_view(), name="discussion-detail"),
    path("discussions/<int:discussion_id>/notes", views.DiscussionNotesView.as_view(), name="discussion-notes"),
    path("discussions/<int:discussion_id>/resolve", views.DiscussionResolveView.as_view(), name="discussion-resolve"),
]
