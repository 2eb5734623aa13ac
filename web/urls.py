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

# Screens that show one thing, by its id.
SCREENS_BY_ID = {"checkins": "round", "discussions": "discussion", "notifications": "notification"}
# Every screen's path as one regular expression: the service worker answers exactly these
# navigations with the shell, and leaves every other path (the API, the admin, a page the server
# adds later) to the server.
SCREEN_PATH_PATTERN = f"^/(?:{'|'.join(SCREENS)})$|^/(?:{'|'.join(SCREENS_BY_ID)})/[0-9]+$"
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
