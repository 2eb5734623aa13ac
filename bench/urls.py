"""The bench's URLs (bench/settings.py): the app's, and the constant endpoint that is the API
pass's baseline (bench/views.py). No other settings route it.
"""

from django.urls import path

from bench.views import ConstantView
from config.urls import handler404
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("api/v1/bench/constant", ConstantView.as_view(), name="bench-constant"),
    *app_urlpatterns,
]

__all__ = ["handler404", "urlpatterns"]
