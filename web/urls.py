"""The app's paths. Each screen the app routes to is listed, so a path that is no screen stays a
404, and the links the backend writes (/join?code=, /notifications/<id>) open the app."""

from django.urls import path, re_path

from web import views

# The app routes the same paths itself (SCREENS in web/static/app/main.js; a test holds the two together).
SCREENS = [
    "",
    "signin",
    "signup",
    "join",
    "pair",
    "schedule",
    "checkin",
    "history",
    "discussions",
    "inbox",
    "settings",
]

urlpatterns = [
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    *[path(screen, views.shell, name=f"app-{screen or 'home'}") for screen in SCREENS],
    re_path(r"^checkins/(?P<round_id>[0-9]+)$", views.shell, name="app-round"),
    re_path(r"^discussions/(?P<discussion_id>[0-9]+)$", views.shell, name="app-discussion"),
    re_path(r"^notifications/(?P<notification_id>[0-9]+)$", views.shell, name="app-notification"),
]
