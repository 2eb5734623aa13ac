from django.urls import path

from signals import views

urlpatterns = [
    path("signals", views.SignalListView.as_view(), name="signals"),
    path("signals/current", views.SignalCurrentView.as_view(), name="signals-current"),
    path("signals/<int:signal_id>", views.SignalDetailView.as_view(), name="signal-detail"),
    path("signals/<int:signal_id>/reply", views.SignalReplyView.as_view(), name="signal-reply"),
]
