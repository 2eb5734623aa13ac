"""The app's paths. Each screen the app routes to is listed, so a path that is no screen stays a
404, and the links the backend writes (/join?code=, /notifications/<id>) open the app."""

from django.urls import path, re_path

from web import views
from web.screens import SCREENS, SCREENS_BY_ID

# A screen's path with a slash at the end (/history/), as people type and paste it.
SCREEN_WITH_A_SLASH = rf"^(?P<screen_path>(?:{'|'.join(filter(None, SCREENS))})|(?:{'|'.join(SCREENS_BY_ID)})/[0-9]+)/$"

urlpatterns = [
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    *[path(screen, views.shell, name=f"app-{screen or 'home'}") for screen in SCREENS],
    *[
        re_path(rf"^{screen}/(?P<{thing}_id>[0-9]+)$", views.shell, name=f"app-{thing}")
        for screen, thing in SCREENS_BY_ID.items()
    ],
    re_path(SCREEN_WITH_A_SLASH, views.screen_without_the_slash),
]
