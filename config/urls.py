from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from config.health import healthz
from config.scrape import metrics_page
from foundation import schema  # noqa: F401 - registers the schema extensions
from web.docs import ApiDocs

api_v1 = [
    path("", include("couples.urls")),
    path("", include("checkin.urls")),
    path("", include("notifications.urls")),
    path("", include("signals.urls")),
    path("", include("workflows.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", ApiDocs.as_view(url_name="schema"), name="docs"),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_page, name="metrics"),
    # The app (PWA) the partners use: its shell at / and every screen, the service worker, the manifest.
    path("", include("web.urls")),
]

handler404 = "config.exceptions.not_found"
